"""temporal_compare: compare temporal sequences as they stream.

Public functions validate and coerce their inputs, then call compiled kernels in
private ``_name`` modules.
"""

from importlib.metadata import version as _version

from .averaging import dba
from .bounds import envelope, lb_keogh, lb_kim
from .comparator import CacheStats, TemporalComparator
from .edit import (
    damerau_levenshtein,
    editops,
    hamming,
    levenshtein,
    levenshtein_normalized_distance,
    levenshtein_normalized_similarity,
    opcodes,
    osa,
)
from .elastic import dtw, dtw_path, lcss
from .errors import TemporalCompareError
from .extract import extract
from .lcs import lcs, lcs_length, lcs_similarity
from .lockstep import euclidean
from .motifs import Discord, Motif, discords, motifs
from .pairwise import cdist
from .patterns import Pattern, find_patterns
from .profile import MatrixProfile, matrix_profile
from .search import Match, search
from .softdtw import soft_dtw, soft_dtw_alignment, soft_dtw_grad
from .stream import StreamMatch, StreamMatcher

__version__: str = _version("temporal-compare")

__all__ = [
    "CacheStats",
    "Discord",
    "Match",
    "MatrixProfile",
    "Motif",
    "Pattern",
    "StreamMatch",
    "StreamMatcher",
    "TemporalComparator",
    "TemporalCompareError",
    "__version__",
    "cdist",
    "damerau_levenshtein",
    "dba",
    "discords",
    "dtw",
    "dtw_path",
    "editops",
    "envelope",
    "euclidean",
    "extract",
    "find_patterns",
    "hamming",
    "lb_keogh",
    "lb_kim",
    "lcs",
    "lcs_length",
    "lcs_similarity",
    "lcss",
    "levenshtein",
    "levenshtein_normalized_distance",
    "levenshtein_normalized_similarity",
    "matrix_profile",
    "motifs",
    "opcodes",
    "osa",
    "search",
    "soft_dtw",
    "soft_dtw_alignment",
    "soft_dtw_grad",
]
