"""strange_loop: multi-level meta-learning with safety-checked self-modification."""

from importlib.metadata import version as _version

from .errors import StrangeLoopError

__version__: str = _version("strange-loop")

__all__ = ["StrangeLoopError", "__version__"]
