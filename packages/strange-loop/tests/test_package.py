from importlib.metadata import version

import strange_loop
from strange_loop import StrangeLoopError


def test_version_and_error_base():
    assert strange_loop.__version__ == version("strange-loop")
    assert issubclass(StrangeLoopError, Exception)
    assert not issubclass(StrangeLoopError, ValueError)
