"""temporal_attractor_studio: nonlinear dynamics of a time series."""

from importlib.metadata import version as _version

from .embedding import embed
from .errors import AttractorError
from .neighbors import nearest_neighbors

__version__: str = _version("temporal-attractor-studio")

__all__ = ["AttractorError", "__version__", "embed", "nearest_neighbors"]
