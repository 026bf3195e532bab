"""temporal_compare: compare temporal sequences as they stream.

Public functions validate and coerce their inputs, then call compiled kernels in
private ``_name`` modules.
"""

from importlib.metadata import version as _version

from .errors import TemporalCompareError
from .lockstep import euclidean

__version__: str = _version("temporal-compare")

__all__ = ["TemporalCompareError", "__version__", "euclidean"]
