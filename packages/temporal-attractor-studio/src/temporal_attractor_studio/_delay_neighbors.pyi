import numpy as np
from numpy.typing import NDArray

def chebyshev_delay_neighbors(
    x: NDArray[np.float64],
    delay: int,
    sorted_vectors: NDArray[np.float64],  # (rows, dims[-1])
    query: NDArray[np.intp],
    theiler: int,
    d_lo: int,
    order: NDArray[np.intp],
    position: NDArray[np.intp],
    out_index: NDArray[np.intp],  # (dims, len(query))
    out_dist: NDArray[np.float64],  # (dims, len(query))
    out_rank: NDArray[np.intp],  # (dims, len(query))
) -> None: ...
