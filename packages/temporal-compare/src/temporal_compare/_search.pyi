import numpy as np
from numpy.typing import NDArray

def envelope(
    x: NDArray[np.float64], r: int, upper: NDArray[np.float64], lower: NDArray[np.float64]
) -> None: ...
def keogh_sq(
    q: NDArray[np.float64], upper: NDArray[np.float64], lower: NDArray[np.float64]
) -> float: ...
def ucr_search(
    t: NDArray[np.float64],
    mean: NDArray[np.float64],
    inv: NDArray[np.float64],
    upper_t: NDArray[np.float64],
    lower_t: NDArray[np.float64],
    q: NDArray[np.float64],
    order: NDArray[np.int64],
    q_upper: NDArray[np.float64],
    q_lower: NDArray[np.float64],
    r: int,
    use_dtw: bool,
    k: int,
    separation: int,
    start_threshold: float = ...,
    visit: NDArray[np.int64] | None = ...,
) -> tuple[list[float], list[int], tuple[int, int, int, int, int]]: ...
def window_stats(
    t: NDArray[np.float64],
    m: int,
    mean: NDArray[np.float64],
    std: NDArray[np.float64],
    inv: NDArray[np.float64],
    constant_std: float,
) -> None: ...
