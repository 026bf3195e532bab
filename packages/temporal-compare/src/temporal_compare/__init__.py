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
from .motifs import Discord, MatrixProfile, Motif, discords, matrix_profile, motifs
from .pairwise import cdist
from .search import Match, search

__version__: str = _version("temporal-compare")

__all__ = [
    "Discord",
    "Match",
    "MatrixProfile",
    "Motif",
    "TemporalCompareError",
    "__version__",
    "cdist",
    "damerau_levenshtein",
    "discords",
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
    "matrix_profile",
    "motifs",
    "osa",
    "search",
]
