"""temporal_compare: compare temporal sequences as they stream.

Public functions validate and coerce their inputs, then call compiled kernels in
private ``_name`` modules.
"""

from importlib.metadata import version as _version

from .bounds import envelope, lb_keogh, lb_kim
from .edit import damerau_levenshtein, editops, hamming, levenshtein, osa
from .elastic import dtw, dtw_path, lcss
from .errors import TemporalCompareError
from .lcs import lcs, lcs_length, lcs_similarity
from .lockstep import euclidean
from .pairwise import cdist
from .search import Match, search

__version__: str = _version("temporal-compare")

__all__ = [
    "Match",
    "TemporalCompareError",
    "__version__",
    "cdist",
    "damerau_levenshtein",
    "dtw",
    "dtw_path",
    "editops",
    "envelope",
    "euclidean",
    "hamming",
    "lb_keogh",
    "lb_kim",
    "lcs",
    "lcs_length",
    "lcs_similarity",
    "lcss",
    "levenshtein",
    "osa",
    "search",
]
