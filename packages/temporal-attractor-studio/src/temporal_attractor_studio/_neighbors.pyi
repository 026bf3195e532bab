import numpy as np
from numpy.typing import NDArray

def nearest_neighbors_brute(
    points: NDArray[np.float64],
    theiler: int,
    out_index: NDArray[np.intp],
    out_dist: NDArray[np.float64],
) -> None: ...
