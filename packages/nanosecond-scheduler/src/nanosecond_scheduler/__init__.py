"""nanosecond_scheduler: priority and deadline scheduling with a Cython ready queue."""

from importlib.metadata import version as _version

from ._heap import KeyHeap
from .errors import SchedulerError
from .priority import Priority

__version__: str = _version("nanosecond-scheduler")

__all__ = ["KeyHeap", "Priority", "SchedulerError", "__version__"]
