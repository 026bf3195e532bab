"""How temporal_compare.dask cuts an archive into search tasks (no cluster needed)."""

from hypothesis import given
from hypothesis import strategies as st

from temporal_compare._chunk_plan import STATS_BLOCK, TAIL_MIN_WINDOWS, ChunkPlan


def spans(lengths, m, chunk, spread):
    plan = ChunkPlan(lengths, m, chunk, spread)
    out = []
    while (span := plan.next()) is not None:
        out.append(span)
    assert plan.remaining == 0
    assert plan.next() is None
    return out


@given(
    lengths=st.lists(st.integers(1, 3 * TAIL_MIN_WINDOWS), min_size=1, max_size=6),
    m=st.integers(1, 300),
    blocks=st.integers(1, 2 * TAIL_MIN_WINDOWS // STATS_BLOCK),
    spread=st.one_of(st.none(), st.integers(1, 8)),
)
def test_every_window_lands_in_one_aligned_chunk_in_order(lengths, m, blocks, spread):
    lengths = [n + m - 1 for n in lengths]  # at least one window each
    chunk = blocks * STATS_BLOCK
    got = spans(lengths, m, chunk, spread)
    for series, n in enumerate(lengths):
        mine = [s for s in got if s.series == series]
        # consecutive, covering windows 0 .. n - m exactly once
        assert [s.start for s in mine] == [0] + [s.start + s.windows for s in mine[:-1]]
        assert mine[-1].start + mine[-1].windows == n - m + 1
        for s in mine:
            assert 1 <= s.windows <= chunk
            # window statistics restart every STATS_BLOCK windows: chunks start on one
            assert s.start % STATS_BLOCK == 0
        # no sliver: only a series' last chunk may fall below the tail minimum
        # (when the series or the chunk size is that small)
        for s in mine[:-1]:
            assert s.windows >= min(chunk, TAIL_MIN_WINDOWS)
    assert [s.series for s in got] == sorted(s.series for s in got)


def test_without_spread_every_chunk_is_full_size():
    got = spans([1_000_000] * 3, 128, 2**18, None)
    assert [s.windows for s in got] == [2**18] * 3 + [999_873 - 3 * 2**18] + (
        [2**18] * 3 + [999_873 - 3 * 2**18]
    ) * 2


def test_the_tail_shrinks_so_no_full_chunk_runs_alone_at_the_end():
    # 10 series of 1M samples, chunks of 2^20 windows, 4 tasks in flight: the
    # first chunks are whole series, the last ones a fraction of one
    got = spans([1_000_000] * 10, 128, 2**20, 4)
    sizes = [s.windows for s in got]
    assert sizes[:7] == [999_873] * 7
    assert max(sizes[-4:]) <= 2**18
    assert min(sizes) >= TAIL_MIN_WINDOWS
    # each chunk is at most a quarter of what was left to hand out (or the minimum)
    left = 10 * 999_873
    for size in sizes:
        assert size <= max(left // 4 + TAIL_MIN_WINDOWS, TAIL_MIN_WINDOWS)
        left -= size
