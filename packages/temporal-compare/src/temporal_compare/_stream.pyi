from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

class SpringCore:
    def _setup(
        self,
        pattern: NDArray[np.float64],
        eps2: float,
        make: Callable[[int, int, float], Any],
        window: int = -1,
    ) -> None: ...
    def update(self, value: float) -> list[Any]: ...
    def extend(self, values: NDArray[np.float64]) -> list[Any]: ...
    def flush(self) -> list[Any]: ...
    def reset(self) -> None: ...
    @property
    def samples_seen(self) -> int: ...
