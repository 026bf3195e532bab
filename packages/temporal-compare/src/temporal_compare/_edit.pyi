import numpy as np
from numpy.typing import NDArray

def fill_ints(seq: object, out: NDArray[np.int64]) -> bool: ...
def lcs_length(a: NDArray[np.int64], b: NDArray[np.int64]) -> int: ...
def levenshtein_unit(a: NDArray[np.int64], b: NDArray[np.int64]) -> int: ...
def pairwise_lcs(
    flat: NDArray[np.int64],
    starts: NDArray[np.int64],
    lengths: NDArray[np.int64],
    flat_y: NDArray[np.int64],
    starts_y: NDArray[np.int64],
    lengths_y: NDArray[np.int64],
    first: NDArray[np.int64],
    second: NDArray[np.int64],
    out: NDArray[np.int64],
    levenshtein: bool = ...,
) -> None: ...
def levenshtein_weighted(
    a: NDArray[np.int64], b: NDArray[np.int64], ins: int, dele: int, sub: int, band: int
) -> int: ...
def osa(a: NDArray[np.int64], b: NDArray[np.int64]) -> int: ...
def damerau_levenshtein(a: NDArray[np.int64], b: NDArray[np.int64], alphabet: int) -> int: ...
def lcs_table(a: NDArray[np.int64], b: NDArray[np.int64], table: NDArray[np.int32]) -> None: ...
def edit_table(a: NDArray[np.int64], b: NDArray[np.int64], table: NDArray[np.int32]) -> None: ...

HAVE_OPENMP: bool

def pairwise_lcs_dense(
    flat: NDArray[np.int64],
    starts: NDArray[np.int64],
    lengths: NDArray[np.int64],
    flat_y: NDArray[np.int64],
    starts_y: NDArray[np.int64],
    lengths_y: NDArray[np.int64],
    rows: NDArray[np.int64],
    row_begin: NDArray[np.int64],
    second: NDArray[np.int64],
    alphabet: int,
    out: NDArray[np.int64],
    num_threads: int,
) -> None: ...
