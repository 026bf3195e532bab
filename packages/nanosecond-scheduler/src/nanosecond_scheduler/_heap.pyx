"""A binary min-heap of (key, sequence, item) C structs.

Ties on ``key`` are broken by insertion order (the sequence number), so pops are
deterministic. Callers pass validated int64 keys and item ids.
"""

from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport free, malloc, realloc


cdef struct Entry:
    int64_t key
    uint64_t seq
    int64_t item


cdef inline bint before(Entry* a, Entry* b) noexcept nogil:
    return a.key < b.key or (a.key == b.key and a.seq < b.seq)


cdef class KeyHeap:
    """Min-heap ordered by (key, insertion order)."""

    cdef Entry* entries
    cdef Py_ssize_t size
    cdef Py_ssize_t capacity
    cdef uint64_t next_seq

    def __cinit__(self, Py_ssize_t capacity=64):
        self.capacity = capacity if capacity > 0 else 1
        self.entries = <Entry*> malloc(self.capacity * sizeof(Entry))
        if self.entries == NULL:
            raise MemoryError()
        self.size = 0
        self.next_seq = 0

    def __dealloc__(self):
        free(self.entries)

    def __len__(self):
        return self.size

    def push(self, int64_t key, int64_t item):
        cdef Entry* grown
        if self.size == self.capacity:
            grown = <Entry*> realloc(self.entries, 2 * self.capacity * sizeof(Entry))
            if grown == NULL:
                raise MemoryError()
            self.entries = grown
            self.capacity *= 2
        cdef Py_ssize_t i = self.size
        cdef Py_ssize_t parent
        cdef Entry e
        e.key = key
        e.seq = self.next_seq
        e.item = item
        self.next_seq += 1
        self.size += 1
        while i > 0:
            parent = (i - 1) >> 1
            if not before(&e, &self.entries[parent]):
                break
            self.entries[i] = self.entries[parent]
            i = parent
        self.entries[i] = e

    def pop(self):
        """Remove and return ``(key, item)`` of the smallest entry."""
        if self.size == 0:
            raise IndexError("pop from an empty KeyHeap")
        cdef Entry top = self.entries[0]
        self.size -= 1
        cdef Entry last = self.entries[self.size]
        cdef Py_ssize_t i = 0
        cdef Py_ssize_t child
        while True:
            child = 2 * i + 1
            if child >= self.size:
                break
            if child + 1 < self.size and before(&self.entries[child + 1], &self.entries[child]):
                child += 1
            if not before(&self.entries[child], &last):
                break
            self.entries[i] = self.entries[child]
            i = child
        if self.size > 0:
            self.entries[i] = last
        return top.key, top.item
