"""temporal_compare: compare temporal sequences as they stream.

Public functions validate and coerce their inputs, then call compiled kernels in
private ``_name`` modules.
"""

from importlib.metadata import version as _version

from .edit import damerau_levenshtein, editops, hamming, levenshtein, osa
from .elastic import dtw, dtw_path, lcss
from .errors import TemporalCompareError
from .lcs import lcs, lcs_length, lcs_similarity
from .lockstep import euclidean

__version__: str = _version("temporal-compare")

__all__ = [
    "TemporalCompareError",
    "__version__",
    "damerau_levenshtein",
    "dtw",
    "dtw_path",
    "editops",
    "euclidean",
    "hamming",
    "lcs",
    "lcs_length",
    "lcs_similarity",
    "lcss",
    "levenshtein",
    "osa",
]
