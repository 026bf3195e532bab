import numpy as np
from numpy.typing import NDArray

def lcp_kasai(
    codes: NDArray[np.int64], sa: NDArray[np.int64], rank: NDArray[np.int64], lcp: NDArray[np.int64]
) -> None: ...
