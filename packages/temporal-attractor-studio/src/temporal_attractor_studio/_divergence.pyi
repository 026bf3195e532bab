import numpy as np
from numpy.typing import NDArray

def rosenstein_curve(
    y: NDArray[np.float64],
    first: NDArray[np.intp],
    second: NDArray[np.intp],
    max_k: int,
    out_sum: NDArray[np.float64],  # (blocks, max_k + 1)
    out_count: NDArray[np.intp],  # (blocks, max_k + 1)
) -> None: ...
def kantz_curve(
    y: NDArray[np.float64],
    reference: NDArray[np.intp],
    indptr: NDArray[np.intp],
    neighbors: NDArray[np.intp],
    max_k: int,
    out_sum: NDArray[np.float64],  # (blocks, max_k + 1)
    out_count: NDArray[np.intp],  # (blocks, max_k + 1)
) -> None: ...
