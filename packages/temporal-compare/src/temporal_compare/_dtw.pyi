import numpy as np
from numpy.typing import NDArray

HAVE_OPENMP: bool

def dtw_wavefront(
    x: NDArray[np.float64], y: NDArray[np.float64], window: int, metric: int
) -> float: ...
def dtw_rows(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    d: int,
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    metric: int,
    step: int,
    limit: float,
) -> float: ...
def dtw_trace(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    d: int,
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    offsets: NDArray[np.int64],
    trace: NDArray[np.uint8],
    metric: int,
    step: int,
) -> float: ...
def backtrack(
    trace: NDArray[np.uint8],
    lo: NDArray[np.int64],
    offsets: NDArray[np.int64],
    n: int,
    m: int,
    path: NDArray[np.int64],
) -> int: ...
def pairwise_wavefront(
    flat: NDArray[np.float64],
    starts: NDArray[np.int64],
    lengths: NDArray[np.int64],
    first: NDArray[np.int64],
    second: NDArray[np.int64],
    flat_y: NDArray[np.float64],
    starts_y: NDArray[np.int64],
    lengths_y: NDArray[np.int64],
    out: NDArray[np.float64],
    window: int,
    metric: int,
    squared_root: int,
    num_threads: int,
) -> None: ...
def lcss_length(
    x: NDArray[np.float64], y: NDArray[np.float64], d: int, epsilon: float, window: int
) -> int: ...
def dtw_path_wavefront(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    window: int,
    metric: int,
    path: NDArray[np.int64],
) -> tuple[float, int]: ...
def dtw_psi(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    d: int,
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    metric: int,
    psi_x_begin: int,
    psi_x_end: int,
    psi_y_begin: int,
    psi_y_end: int,
) -> float: ...
def dtw_last_row(
    x: NDArray[np.float64], y: NDArray[np.float64], d: int, metric: int, out: NDArray[np.float64]
) -> None: ...
