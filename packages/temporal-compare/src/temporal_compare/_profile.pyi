import numpy as np
from numpy.typing import NDArray

def mpx(
    t: NDArray[np.float64],
    m: int,
    mean: NDArray[np.float64],
    invnorm: NDArray[np.float64],
    df: NDArray[np.float64],
    dg: NDArray[np.float64],
    constant: NDArray[np.uint8],
    first_lag: int,
    corr: NDArray[np.float64],
    index: NDArray[np.int64],
    num_threads: int,
) -> None: ...
