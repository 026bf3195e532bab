import numpy as np
from numpy.typing import NDArray

def sqeuclidean(x: NDArray[np.float64], y: NDArray[np.float64]) -> float: ...
