from libc.stdint cimport int64_t

cdef enum:
    PENDING = 0
    DONE = 1
    FAILED = 2
    CANCELLED = 3


cdef class TaskHandle:
    cdef readonly int64_t id
    cdef object owner       # weakref to an object with cancel_handle(handle) -> bool
    cdef int state
    cdef object value
    cdef list listeners     # waiting futures and done callbacks, made on first use

    cdef void track(self) noexcept
    cpdef resolve(self, int state, object value)
