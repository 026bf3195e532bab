cimport cython
from cpython.ref cimport PyObject
from libc.stdint cimport int64_t, uint8_t, uint32_t, uint64_t

from ._entries cimport Entry, Scratch
from ._histogram cimport LatencyHistogram


cdef struct Slot:
    int64_t release
    int64_t deadline      # NS_FOREVER when the task has none
    int64_t period        # 0 when one-shot
    int64_t wcet
    int64_t priority
    int64_t tag
    int64_t last_start    # NS_NEVER until a periodic task first starts
    PyObject* payload
    uint32_t gen
    uint8_t state
    uint8_t cancelled


@cython.final
cdef class TaskQueue:
    cdef Entry* ready
    cdef Entry* pending
    cdef Slot* slots
    cdef int64_t* pos       # heap index while queued, next free slot while free
    cdef int64_t n_ready, cap_ready, n_pending, cap_pending, n_slots, cap_slots
    cdef int64_t free_head
    cdef Scratch scratch    # reused by full-drain sorts
    cdef Scratch spare      # reused by pop_many for the references it releases
    cdef int64_t unheaped   # ready[unheaped:n_ready] not yet in heap order; -1: none
    cdef uint64_t next_seq
    cdef readonly int policy
    cdef readonly int64_t max_queued
    cdef readonly int64_t running
    cdef readonly int64_t scheduled, completed, missed, skipped, cancelled, taken
    cdef readonly LatencyHistogram latency, lateness, jitter

    cdef int reserve(self, int64_t extra) except -1
    cdef int64_t new_slot(self) noexcept nogil
    cdef PyObject* detach_slot(self, int64_t s) noexcept
    cdef void release_slot(self, int64_t s) noexcept
    cdef int64_t resolve(self, int64_t task_id) noexcept nogil
    cdef int64_t id_of(self, int64_t s) noexcept nogil
    cdef void sift_up(self, Entry* heap, int64_t i, Entry e) noexcept nogil
    cdef void sift_down(self, Entry* heap, int64_t n, int64_t i, Entry e) noexcept nogil
    cdef void sift_down_unmapped(self, int64_t n, Entry e) noexcept nogil
    cdef void heap_remove(self, Entry* heap, int64_t* n, int64_t i) noexcept nogil
    cdef void ensure_heap(self) noexcept nogil
    cdef void enqueue(self, int64_t s, int64_t now) noexcept nogil
    cdef void ready_keys(self, const Slot* t, Entry* e) noexcept nogil
    cdef void release_due(self, int64_t now) noexcept nogil
    cdef void unqueue(self, int64_t s) noexcept nogil
    cdef int64_t pop_slot(self, int64_t now) noexcept nogil
    cdef bint finish_job(self, int64_t s, int64_t now) except -1
    cdef int64_t take(self, int64_t now, int64_t* late) noexcept
    cpdef int64_t add(self, int64_t now, int64_t release, int64_t deadline, int64_t period,
                      int64_t wcet, int64_t priority, int64_t tag, object payload) except -2
    cpdef bint complete(self, int64_t task_id, int64_t start, int64_t end) except -1
    cpdef bint skip(self, int64_t task_id, int64_t now) except -1
    cpdef int cancel(self, int64_t task_id) except -1
    cpdef object pop_one(self, int64_t now)
