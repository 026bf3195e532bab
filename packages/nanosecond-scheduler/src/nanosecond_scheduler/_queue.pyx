"""Indexed task queues: a pending heap (by release time) and a ready heap (by policy key).

Every task occupies a slot; its id is ``(generation << 32) | slot`` so an id is
resolved in O(1) and a stale id (the slot was reused) is recognised. Both heaps are
4-ary heaps of C structs with a position map, so cancel and reschedule are
O(log n). Ties on the policy key are broken by a sequence number (FIFO).

The public module validates every argument; this kernel trusts them. Each method
runs entirely while holding the GIL and never calls back into Python code other
than releasing a payload's last reference, so one call is atomic with respect to
other Python threads: producers may schedule and cancel while a worker pops.
"""

from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF
from libc.stdint cimport int64_t, uint32_t
from libc.stdlib cimport free, malloc, realloc

from ._entries cimport Entry, before, sorted_ids
from ._histogram cimport LatencyHistogram

cdef extern from *:
    """
    #define NS_FOREVER INT64_MAX
    #define NS_NEVER INT64_MIN
    """
    int64_t NS_FOREVER
    int64_t NS_NEVER

cdef enum:
    ARITY = 4
    FREE = 0
    PENDING = 1
    READY = 2
    RUNNING = 3

cdef enum:
    P_FIFO = 0
    P_FIXED_PRIORITY = 1
    P_EDF = 2
    P_RATE_MONOTONIC = 3
    P_LEAST_LAXITY = 4

POLICY_CODES = {
    "fifo": P_FIFO,
    "fixed_priority": P_FIXED_PRIORITY,
    "edf": P_EDF,
    "rate_monotonic": P_RATE_MONOTONIC,
    "least_laxity": P_LEAST_LAXITY,
}


cdef inline int64_t slot_of(int64_t tid) noexcept nogil:
    return tid & <int64_t> 0xFFFFFFFF


cdef inline int64_t sat_sub(int64_t a, int64_t b) noexcept nogil:
    if b > 0 and a < NS_NEVER + b:
        return NS_NEVER
    if b < 0 and a > NS_FOREVER + b:
        return NS_FOREVER
    return a - b


cdef inline int64_t sat_add(int64_t a, int64_t b) noexcept nogil:
    if b > 0 and a > NS_FOREVER - b:
        return NS_FOREVER
    return a + b


cdef inline int64_t hold(PyObject** held, int64_t h, PyObject* payload) noexcept:
    """Keep ``payload``'s reference in ``held`` for later release; return the new count.

    A batch's tasks share one payload: a repeat of the last held object is released
    at once (``held`` still owns a reference, so this cannot free it or run code).
    """
    if h > 0 and held[h - 1] == payload:
        Py_XDECREF(payload)
        return h
    held[h] = payload
    return h + 1


cdef class TaskQueue:
    """Pending and ready heaps of task slots, ordered per scheduling policy."""

    def __cinit__(self, int policy, int64_t max_queued=0, int64_t capacity=64):
        if capacity < 4:
            capacity = 4
        self.policy = policy
        self.max_queued = max_queued
        self.cap_ready = self.cap_pending = self.cap_slots = capacity
        self.ready = <Entry*> malloc(capacity * sizeof(Entry))
        self.pending = <Entry*> malloc(capacity * sizeof(Entry))
        self.slots = <Slot*> malloc(capacity * sizeof(Slot))
        self.pos = <int64_t*> malloc(capacity * sizeof(int64_t))
        if self.ready == NULL or self.pending == NULL or self.slots == NULL or self.pos == NULL:
            raise MemoryError()
        self.free_head = -1
        self.unheaped = -1
        self.scratch.data = NULL
        self.scratch.size = 0
        self.spare.data = NULL
        self.spare.size = 0
        self.latency = LatencyHistogram()
        self.lateness = LatencyHistogram()
        self.jitter = LatencyHistogram()

    def __dealloc__(self):
        cdef int64_t i
        if self.slots != NULL:
            for i in range(self.n_slots):
                if self.slots[i].state != FREE:
                    Py_XDECREF(self.slots[i].payload)
        free(self.ready)
        free(self.pending)
        free(self.slots)
        free(self.pos)
        free(self.scratch.data)
        free(self.spare.data)

    # ----------------------------------------------------------------- storage

    cdef int reserve(self, int64_t extra) except -1:
        """Grow every array so ``extra`` more tasks fit without reallocating."""
        cdef int64_t want = self.n_slots + extra
        cdef int64_t cap
        cdef void* grown
        if want > self.cap_slots:
            cap = self.cap_slots
            while cap < want:
                cap *= 2
            grown = realloc(self.slots, cap * sizeof(Slot))
            if grown == NULL:
                raise MemoryError()
            self.slots = <Slot*> grown
            grown = realloc(self.pos, cap * sizeof(int64_t))
            if grown == NULL:
                raise MemoryError()
            self.pos = <int64_t*> grown
            self.cap_slots = cap
        want = self.n_ready + self.n_pending + extra
        if want > self.cap_ready:
            cap = self.cap_ready
            while cap < want:
                cap *= 2
            grown = realloc(self.ready, cap * sizeof(Entry))
            if grown == NULL:
                raise MemoryError()
            self.ready = <Entry*> grown
            self.cap_ready = cap
        if want > self.cap_pending:
            cap = self.cap_pending
            while cap < want:
                cap *= 2
            grown = realloc(self.pending, cap * sizeof(Entry))
            if grown == NULL:
                raise MemoryError()
            self.pending = <Entry*> grown
            self.cap_pending = cap
        return 0

    cdef int64_t new_slot(self) noexcept nogil:
        cdef int64_t s
        if self.free_head >= 0:
            s = self.free_head
            self.free_head = self.pos[s]
            return s
        s = self.n_slots
        self.n_slots += 1
        self.slots[s].gen = 1
        return s

    cdef PyObject* detach_slot(self, int64_t s) noexcept:
        """Free slot s and return its payload reference, still to be released."""
        cdef PyObject* payload = self.slots[s].payload
        self.slots[s].state = FREE
        self.slots[s].payload = NULL
        self.slots[s].gen += 1
        self.pos[s] = self.free_head
        self.free_head = s
        return payload

    cdef void release_slot(self, int64_t s) noexcept:
        # The last reference may run arbitrary code (``__del__``) that lets other
        # threads in, so it is dropped only once the queue is consistent again.
        Py_XDECREF(self.detach_slot(s))

    cdef int64_t resolve(self, int64_t task_id) noexcept nogil:
        if task_id < 0:
            return -1
        cdef int64_t s = task_id & <int64_t> 0xFFFFFFFF
        if s >= self.n_slots or self.slots[s].state == FREE:
            return -1
        if self.slots[s].gen != <uint32_t> (task_id >> 32):
            return -1
        return s

    cdef int64_t id_of(self, int64_t s) noexcept nogil:
        return (<int64_t> self.slots[s].gen << 32) | s

    # ------------------------------------------------------------------- heaps

    cdef void sift_up(self, Entry* heap, int64_t i, Entry e) noexcept nogil:
        cdef int64_t parent
        while i > 0:
            parent = (i - 1) // ARITY
            if not before(&e, &heap[parent]):
                break
            heap[i] = heap[parent]
            self.pos[slot_of(heap[i].tid)] = i
            i = parent
        heap[i] = e
        self.pos[slot_of(e.tid)] = i

    cdef void sift_down(self, Entry* heap, int64_t n, int64_t i, Entry e) noexcept nogil:
        cdef int64_t child, best, end
        while True:
            child = ARITY * i + 1
            if child >= n:
                break
            best = child
            end = child + ARITY
            if end > n:
                end = n
            child += 1
            while child < end:
                if before(&heap[child], &heap[best]):
                    best = child
                child += 1
            if not before(&heap[best], &e):
                break
            heap[i] = heap[best]
            self.pos[slot_of(heap[i].tid)] = i
            i = best
        heap[i] = e
        self.pos[slot_of(e.tid)] = i

    cdef void sift_down_unmapped(self, int64_t n, Entry e) noexcept nogil:
        """Sift ``e`` down from the root of the ready heap without touching ``pos``."""
        cdef Entry* heap = self.ready
        cdef int64_t i = 0
        cdef int64_t child, best, end
        while True:
            child = ARITY * i + 1
            if child >= n:
                break
            best = child
            end = child + ARITY
            if end > n:
                end = n
            child += 1
            while child < end:
                if before(&heap[child], &heap[best]):
                    best = child
                child += 1
            if not before(&heap[best], &e):
                break
            heap[i] = heap[best]
            i = best
        heap[i] = e

    cdef void heap_remove(self, Entry* heap, int64_t* n, int64_t i) noexcept nogil:
        n[0] -= 1
        if i == n[0]:
            return
        cdef Entry last = heap[n[0]]
        if i > 0 and before(&last, &heap[(i - 1) // ARITY]):
            self.sift_up(heap, i, last)
        else:
            self.sift_down(heap, n[0], i, last)

    cdef void ensure_heap(self) noexcept nogil:
        """Put the entries ``add_many`` appended to the ready heap in heap order.

        Every path that relies on the ready heap's order calls this first; a full
        drain (``pop_many`` of everything) sorts the entries and never needs it.
        """
        cdef int64_t start = self.unheaped
        cdef int64_t i
        if start < 0:
            return
        self.unheaped = -1
        if start >= self.n_ready:
            return
        if (self.n_ready - start) * 4 < self.n_ready:
            for i in range(start, self.n_ready):  # a few appended entries: sift each up
                self.sift_up(self.ready, i, self.ready[i])
        else:
            for i in range((self.n_ready - 2) // ARITY, -1, -1):  # Floyd's heap build
                self.sift_down(self.ready, self.n_ready, i, self.ready[i])

    cdef void enqueue(self, int64_t s, int64_t now) noexcept nogil:
        """Put slot s in the pending heap, or the ready heap if already released."""
        cdef Slot* t = &self.slots[s]
        cdef Entry e
        e.seq = self.next_seq
        self.next_seq += 1
        e.tid = self.id_of(s)
        if t.release > now:
            e.k1 = t.release
            e.k2 = 0
            t.state = PENDING
            self.n_pending += 1
            self.sift_up(self.pending, self.n_pending - 1, e)
        else:
            self.ensure_heap()
            self.ready_keys(t, &e)
            t.state = READY
            self.n_ready += 1
            self.sift_up(self.ready, self.n_ready - 1, e)

    cdef void ready_keys(self, const Slot* t, Entry* e) noexcept nogil:
        if self.policy == P_EDF:
            e.k1 = t.deadline
            e.k2 = 0
        elif self.policy == P_FIXED_PRIORITY:
            e.k1 = -t.priority
            e.k2 = t.deadline
        elif self.policy == P_RATE_MONOTONIC:
            e.k1 = t.period if t.period > 0 else NS_FOREVER
            e.k2 = 0
        elif self.policy == P_LEAST_LAXITY:
            # Laxity at dispatch time ``now`` is deadline - now - wcet; ``now`` is the
            # same for every ready task, so ordering by deadline - wcet is identical.
            e.k1 = sat_sub(t.deadline, t.wcet) if t.deadline != NS_FOREVER else NS_FOREVER
            e.k2 = 0
        else:
            e.k1 = 0
            e.k2 = 0

    cdef void release_due(self, int64_t now) noexcept nogil:
        cdef Entry e
        cdef int64_t s
        while self.n_pending > 0 and self.pending[0].k1 <= now:
            self.ensure_heap()
            e = self.pending[0]
            s = slot_of(e.tid)
            self.heap_remove(self.pending, &self.n_pending, 0)
            self.ready_keys(&self.slots[s], &e)
            self.slots[s].state = READY
            self.n_ready += 1
            self.sift_up(self.ready, self.n_ready - 1, e)

    cdef void unqueue(self, int64_t s) noexcept nogil:
        if self.slots[s].state == READY:
            self.ensure_heap()
            self.heap_remove(self.ready, &self.n_ready, self.pos[s])
        elif self.slots[s].state == PENDING:
            self.heap_remove(self.pending, &self.n_pending, self.pos[s])

    cdef int64_t pop_slot(self, int64_t now) noexcept nogil:
        self.release_due(now)
        if self.n_ready == 0:
            return -1
        self.ensure_heap()
        cdef int64_t s = slot_of(self.ready[0].tid)
        self.heap_remove(self.ready, &self.n_ready, 0)
        return s

    cdef bint finish_job(self, int64_t s, int64_t now) except -1:
        """End the current job of slot s: re-release a periodic task, else free it."""
        cdef Slot* t = &self.slots[s]
        if t.period > 0 and not t.cancelled:
            t.release = sat_add(t.release, t.period)
            if t.deadline != NS_FOREVER:
                t.deadline = sat_add(t.deadline, t.period)
            self.enqueue(s, now)
            return True
        self.release_slot(s)
        return False

    # ------------------------------------------------------------ public calls

    @property
    def n_queued(self):
        """Tasks waiting in either heap (not running)."""
        return self.n_ready + self.n_pending

    @property
    def n_active(self):
        """Tasks queued or running."""
        return self.n_ready + self.n_pending + self.running

    cpdef int64_t add(self, int64_t now, int64_t release, int64_t deadline, int64_t period,
                      int64_t wcet, int64_t priority, int64_t tag, object payload) except -2:
        """Queue one task; return its id, or -1 when the queue is full."""
        if self.max_queued > 0 and self.n_ready + self.n_pending >= self.max_queued:
            return -1
        self.reserve(1)
        cdef int64_t s = self.new_slot()
        cdef Slot* t = &self.slots[s]
        t.release = release
        t.deadline = deadline
        t.period = period
        t.wcet = wcet
        t.priority = priority
        t.tag = tag
        t.last_start = NS_NEVER
        t.cancelled = 0
        Py_INCREF(payload)
        t.payload = <PyObject*> payload
        self.enqueue(s, now)
        self.scheduled += 1
        return self.id_of(s)

    def add_many(self, int64_t now, const int64_t[:] release, const int64_t[:] deadline,
                 const int64_t[:] wcet, const int64_t[:] priority, object payload,
                 int64_t[::1] ids_out):
        """Queue ``len(release)`` one-shot tasks sharing ``payload``; tag i is the index.

        The inputs may be strided (a scalar broadcast to every task has stride 0) and
        must all have ``len(ids_out)`` values: the caller checks.

        Returns 0, or -1 (nothing queued) when they would not fit under ``max_queued``.
        """
        cdef int64_t n = release.shape[0]
        cdef int64_t i, s
        cdef Slot* t
        cdef Entry e
        if self.max_queued > 0 and self.n_ready + self.n_pending + n > self.max_queued:
            return -1
        self.reserve(n)
        for i in range(n):
            Py_INCREF(payload)
        with nogil:
            for i in range(n):
                s = self.new_slot()
                t = &self.slots[s]
                t.release = release[i]
                t.deadline = deadline[i]
                t.period = 0
                t.wcet = wcet[i]
                t.priority = priority[i]
                t.tag = i
                t.last_start = NS_NEVER
                t.cancelled = 0
                t.payload = <PyObject*> payload
                if t.release > now:
                    self.enqueue(s, now)
                else:
                    # Released: append to the ready heap without sifting; the heap
                    # order is restored (ensure_heap) only when something needs it.
                    if self.unheaped < 0:
                        self.unheaped = self.n_ready
                    e.seq = self.next_seq
                    self.next_seq += 1
                    e.tid = self.id_of(s)
                    self.ready_keys(t, &e)
                    t.state = READY
                    self.ready[self.n_ready] = e
                    self.pos[s] = self.n_ready
                    self.n_ready += 1
                ids_out[i] = self.id_of(s)
            self.scheduled += n
        return 0

    cdef int64_t take(self, int64_t now, int64_t* late) noexcept:
        """Mark the first ready slot running and return it (-1 if none); set ``late``."""
        cdef int64_t s = self.pop_slot(now)
        if s < 0:
            return -1
        cdef Slot* t = &self.slots[s]
        t.state = RUNNING
        self.running += 1
        late[0] = sat_sub(now, t.deadline) if t.deadline != NS_FOREVER else NS_NEVER
        return s

    def pop(self, int64_t now):
        """Take the first ready task as running: ``(id, payload, tag, late_ns)`` or None.

        ``late_ns`` is ``now - deadline`` (positive when the deadline has passed).
        """
        cdef int64_t late
        cdef int64_t s = self.take(now, &late)
        if s < 0:
            return None
        return self.id_of(s), <object> self.slots[s].payload, self.slots[s].tag, late

    cpdef bint complete(self, int64_t task_id, int64_t start, int64_t end) except -1:
        """Record a finished job (latency, lateness, jitter, miss); re-release or free it.

        Returns True when a periodic task was re-released.
        """
        cdef int64_t s = self.resolve(task_id)
        if s < 0 or self.slots[s].state != RUNNING:
            return False
        cdef Slot* t = &self.slots[s]
        self.running -= 1
        self.completed += 1
        self.latency.record_value(start - t.release)
        if t.deadline != NS_FOREVER:
            self.lateness.record_value(end - t.deadline)
            if end > t.deadline:
                self.missed += 1
        if t.period > 0:
            if t.last_start != NS_NEVER:
                self.jitter.record_value(abs(start - t.last_start - t.period))
            t.last_start = start
        return self.finish_job(s, end)

    cpdef bint skip(self, int64_t task_id, int64_t now) except -1:
        """Drop a running job whose deadline passed before it started (a miss)."""
        cdef int64_t s = self.resolve(task_id)
        if s < 0 or self.slots[s].state != RUNNING:
            return False
        self.running -= 1
        self.missed += 1
        self.skipped += 1
        return self.finish_job(s, now)

    cpdef int cancel(self, int64_t task_id) except -1:
        """0: unknown or running one-shot; 1: removed; 2: running periodic, no re-release."""
        cdef int64_t s = self.resolve(task_id)
        if s < 0:
            return 0
        if self.slots[s].state == RUNNING:
            if self.slots[s].cancelled or self.slots[s].period == 0:
                return 0
            self.slots[s].cancelled = 1
            self.cancelled += 1
            return 2
        self.unqueue(s)
        self.cancelled += 1
        self.release_slot(s)
        return 1

    def update(self, int64_t task_id, int64_t now, int64_t release, int64_t deadline,
               int64_t period, int64_t wcet, int64_t priority):
        """Change a queued task's timing and priority in O(log n).

        0: unknown id; 1: done; 2: refused because the task is running.
        """
        cdef int64_t s = self.resolve(task_id)
        if s < 0:
            return 0
        if self.slots[s].state == RUNNING:
            return 2
        self.unqueue(s)
        cdef Slot* t = &self.slots[s]
        t.release = release
        t.deadline = deadline
        t.period = period
        t.wcet = wcet
        t.priority = priority
        self.enqueue(s, now)
        return 1

    def info(self, int64_t task_id):
        """``(release, deadline, period, wcet, priority, state)`` or None."""
        cdef int64_t s = self.resolve(task_id)
        if s < 0:
            return None
        cdef Slot* t = &self.slots[s]
        return t.release, t.deadline, t.period, t.wcet, t.priority, t.state

    def payload(self, int64_t task_id):
        """The payload of a queued or running task, or None."""
        cdef int64_t s = self.resolve(task_id)
        if s < 0:
            return None
        return <object> self.slots[s].payload

    def queued_payloads(self):
        """``[(id, payload), ...]`` of every queued (not running) task, in slot order."""
        cdef int64_t s
        return [
            (self.id_of(s), <object> self.slots[s].payload)
            for s in range(self.n_slots)
            if self.slots[s].state == READY or self.slots[s].state == PENDING
        ]

    def pop_many(self, int64_t now, int64_t[::1] ids_out):
        """Take up to ``len(ids_out)`` ready tasks in policy order without running them.

        One-shot tasks are freed, periodic tasks re-released; returns the count.
        Payload references are dropped at the end, when the heaps are consistent.
        """
        cdef int64_t n = ids_out.shape[0]
        cdef int64_t k = 0
        cdef int64_t h = 0
        cdef int64_t s, i
        cdef Entry last
        # The held list is big for big pops and its fresh pages would each fault: reuse
        # one buffer, detached from the queue while in use (releasing references may
        # run code that calls pop_many again).
        cdef int64_t most = min(n, self.n_ready + self.n_pending)  # tasks that can be taken
        cdef PyObject** held = <PyObject**> self.spare.data
        cdef int64_t held_size = self.spare.size
        self.spare.data = NULL
        self.spare.size = 0
        if held_size < most * <int64_t> sizeof(PyObject*) or held == NULL:
            free(held)
            held_size = (most if most > 0 else 1) * sizeof(PyObject*)
            held = <PyObject**> malloc(held_size)
            if held == NULL:
                raise MemoryError()
        self.release_due(now)
        if n < self.n_ready // 8:
            while k < n:
                s = self.pop_slot(now)
                if s < 0:
                    break
                ids_out[k] = self.id_of(s)
                k += 1
                if self.slots[s].period > 0:
                    self.finish_job(s, now)
                else:
                    h = hold(held, h, self.detach_slot(s))
        elif n >= self.n_ready and self.n_pending == 0 and self.running == 0:
            # Draining everything: radix-sort the ready entries' keys (streams through
            # memory where n heap pops would each miss the cache at every level; the
            # entries need not be in heap order, see ensure_heap), then free or
            # re-release every slot in one sequential sweep, which also leaves the
            # free list in ascending order.
            k = self.n_ready
            if k > 0:
                sorted_ids(self.ready, k, self.pos, self.n_slots, &ids_out[0], &self.scratch)
            self.n_ready = 0
            self.unheaped = -1
            self.free_head = -1
            for i in range(self.n_slots - 1, -1, -1):
                if self.slots[i].state == READY:
                    if self.slots[i].period > 0:
                        self.finish_job(i, now)
                    else:
                        h = hold(held, h, self.detach_slot(i))
                elif self.slots[i].state == FREE:
                    self.pos[i] = self.free_head
                    self.free_head = i
        else:
            # Taking a large share of the heap: skip the position map while popping
            # (each update is a cache miss at this size) and rebuild it once after.
            self.ensure_heap()
            while k < n and self.n_ready > 0:
                s = slot_of(self.ready[0].tid)
                self.n_ready -= 1
                if self.n_ready > 0:
                    last = self.ready[self.n_ready]
                    self.sift_down_unmapped(self.n_ready, last)
                ids_out[k] = self.id_of(s)
                k += 1
                if self.slots[s].period > 0:
                    self.pos[s] = -1
                    self.finish_job(s, now)
                else:
                    h = hold(held, h, self.detach_slot(s))
            for i in range(self.n_ready):
                self.pos[slot_of(self.ready[i].tid)] = i
        self.taken += k
        for i in range(h):
            Py_XDECREF(held[i])
        if self.spare.data == NULL:
            self.spare.data = held
            self.spare.size = held_size
        else:
            free(held)
        return k

    cpdef object pop_one(self, int64_t now):
        """Take the first ready task without running it; its id, or None."""
        cdef int64_t s = self.pop_slot(now)
        if s < 0:
            return None
        cdef int64_t task_id = self.id_of(s)
        self.taken += 1
        self.finish_job(s, now)
        return task_id

    def next_release(self):
        """Earliest release time in the pending heap, or None."""
        if self.n_pending == 0:
            return None
        return self.pending[0].k1

    def has_ready(self, int64_t now):
        """True when a task is (or becomes, at ``now``) ready."""
        self.release_due(now)
        return self.n_ready > 0

    def clear(self):
        """Cancel every queued task (running ones finish but are not re-released)."""
        cdef int64_t s
        cdef int64_t n = 0
        cdef PyObject** held = <PyObject**> malloc((self.n_slots or 1) * sizeof(PyObject*))
        if held == NULL:
            raise MemoryError()
        for s in range(self.n_slots):
            if self.slots[s].state == READY or self.slots[s].state == PENDING:
                held[n] = self.detach_slot(s)
                n += 1
            elif self.slots[s].state == RUNNING and not self.slots[s].cancelled:
                self.slots[s].cancelled = 1
        self.n_ready = 0
        self.n_pending = 0
        self.unheaped = -1
        self.cancelled += n
        for s in range(n):  # drop references only now that the queue is consistent
            Py_XDECREF(held[s])
        free(held)
        return n
