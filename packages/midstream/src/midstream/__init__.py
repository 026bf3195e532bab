"""midstream: analyse streams while they flow.

The meta-package pins the six Midstream distributions exactly and provides the
``midstream`` command line and end-to-end demo.
"""

from importlib.metadata import version as _version

from .errors import MidstreamError

__version__: str = _version("midstream")

__all__ = ["MidstreamError", "__version__"]
