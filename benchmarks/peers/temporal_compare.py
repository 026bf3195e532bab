"""temporal_compare against dtaidistance, rapidfuzz and stumpy on the issue's workloads.

Inputs are random walks (numeric) or random integer lists (tokens) with fixed
seeds. ``check`` compares results wherever ours and the peer compute the same
quantity, so a fast wrong answer shows as RESULT DIFFERS.
"""

import math

import numpy as np
from harness import Workload  # first: it puts the installed package ahead of this file

# isort: split
import temporal_compare as tc


def _walks(*shape, seed=0):
    return np.cumsum(np.random.default_rng(seed).standard_normal(shape), axis=-1)


_UPPER = np.triu_indices(200, 1)


def _pair1000():
    return _walks(1000, seed=1), _walks(1000, seed=2)


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _path_cost(x, y, path):
    return math.sqrt(sum((x[i] - y[j]) ** 2 for i, j in path))


def _dtai():
    from dtaidistance import dtw

    return dtw


def _search_inputs():
    rng = np.random.default_rng(3)
    series = np.cumsum(rng.standard_normal(1_000_000))
    query = series[400_000:400_128] + rng.standard_normal(128) * 0.2
    return query, series


def _history_inputs():
    rng = np.random.default_rng(4)
    history = np.cumsum(rng.standard_normal(10_000))
    return history[5_000:5_064] + rng.standard_normal(64) * 0.1, history


def _tokens(n=1000, seed=5):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 64, n).tolist(), rng.integers(0, 64, n).tolist()


def _token_collection():
    rng = np.random.default_rng(6)
    return ([rng.integers(0, 32, 1000).tolist() for _ in range(100)],)


def _stumpy_match(query, series, k):
    import stumpy

    return stumpy.match(query, series, max_distance=np.inf, max_matches=k)


def _stream_inputs():
    rng = np.random.default_rng(7)
    return np.sin(np.linspace(0, 2 * np.pi, 64)), rng.standard_normal(200_000)


def _run_stream(pattern, values):
    return len(tc.StreamMatcher(pattern, threshold=1.0).extend(values))


def _run_stream_window(pattern, values):
    return len(tc.StreamMatcher(pattern, threshold=1.0, window=4).extend(values))


def _run_stream_by_sample(pattern, values):
    matcher = tc.StreamMatcher(pattern, threshold=1.0)
    update = matcher.update
    found = 0
    for v in values[:50_000].tolist():
        found += len(update(v))
    return found


WORKLOADS = [
    Workload(
        name="euclidean n=10k",
        setup=lambda: (_walks(10_000, seed=8), _walks(10_000, seed=9)),
        ours=tc.euclidean,
        peers={"numpy.linalg.norm": lambda x, y: float(np.linalg.norm(x - y))},
        number=200,
        check=_close,
    ),
    Workload(
        name="dtw n=1000 no window",
        setup=_pair1000,
        ours=tc.dtw,
        peers={"dtaidistance.distance_fast": lambda x, y: _dtai().distance_fast(x, y)},
        number=20,
        goal="goal <= 1.0 ms",
        check=_close,
    ),
    Workload(
        name="dtw n=1000 window 100",
        setup=_pair1000,
        ours=lambda x, y: tc.dtw(x, y, window=100),
        # dtaidistance's window w keeps |i - j| < w, ours |i - j| <= window
        peers={"dtaidistance.distance_fast": lambda x, y: _dtai().distance_fast(x, y, window=101)},
        number=50,
        goal="goal <= 0.2 ms",
        check=_close,
    ),
    Workload(
        name="dtw + path n=1000",
        setup=_pair1000,
        ours=lambda x, y: tc.dtw_path(x, y),
        peers={
            "dtaidistance.warping_path_fast": lambda x, y: (
                None,
                _dtai().warping_path_fast(x, y),
            )
        },
        number=10,
        goal="goal <= 2.5 ms",
        check=lambda ours, theirs: True,  # paths may differ on ties; costs compared in tests
    ),
    Workload(
        name="cdist dtw 200 x 256, 2 threads",
        setup=lambda: (_walks(200, 256, seed=10),),
        ours=lambda X: tc.cdist(X, n_jobs=2),
        peers={
            "dtaidistance.distance_matrix_fast(parallel)": lambda X: _dtai().distance_matrix_fast(
                X, parallel=True
            )
        },
        repeat=3,
        goal="goal <= 1.0 s",
        check=lambda a, b: bool(np.allclose(a[_UPPER], b[_UPPER])),
    ),
    Workload(
        name="search 1M m=128 window 12 z-norm top-1 (dtw)",
        setup=_search_inputs,
        ours=lambda q, s: tc.search(q, s, k=1, window=12)[0].index,
        peers={"stumpy.match (Euclidean only)": lambda q, s: int(_stumpy_match(q, s, 1)[0][1])},
        repeat=5,
        goal="goal <= 0.08 s",
    ),
    Workload(
        name="search 1M m=128 window 12 z-norm top-10 (dtw)",
        setup=_search_inputs,
        ours=lambda q, s: [m.index for m in tc.search(q, s, k=10, window=12)],
        peers={
            "stumpy.match (Euclidean only)": lambda q, s: _stumpy_match(q, s, 10)[:, 1].tolist()
        },
        repeat=5,
        goal="goal <= 0.15 s",
    ),
    Workload(
        name="search 1M m=128 z-norm top-1 (euclidean, same task as stumpy)",
        setup=_search_inputs,
        ours=lambda q, s: tc.search(q, s, k=1, metric="euclidean")[0].index,
        peers={"stumpy.match": lambda q, s: int(_stumpy_match(q, s, 1)[0][1])},
        repeat=5,
        check=lambda a, b: a == b,
    ),
    Workload(
        name="top-5 DTW matches of 64 points in 10k history",
        setup=_history_inputs,
        ours=lambda q, s: [m.index for m in tc.search(q, s, k=5)],
        number=20,
        goal="goal <= 2 ms (original: 500 ms)",
    ),
    Workload(
        name="lcs length 1000 vs 1000 ints (lists)",
        setup=_tokens,
        ours=tc.lcs_length,
        peers={"rapidfuzz LCSseq.similarity": lambda a, b: _rf().LCSseq.similarity(a, b)},
        number=500,
        goal="goal <= 1.25x rapidfuzz",
        check=lambda a, b: a == b,
    ),
    Workload(
        name="levenshtein 1000 vs 1000 ints (lists)",
        setup=_tokens,
        ours=tc.levenshtein,
        peers={"rapidfuzz Levenshtein.distance": lambda a, b: _rf().Levenshtein.distance(a, b)},
        number=500,
        goal="goal <= 1.25x rapidfuzz",
        check=lambda a, b: a == b,
    ),
    Workload(
        name="all-pairs lcs similarity 100 x 1000, 2 workers",
        setup=_token_collection,
        ours=lambda S: tc.cdist(S, metric="lcs_similarity", n_jobs=2),
        peers={
            "rapidfuzz.process.cdist": lambda S: _rfp().cdist(
                S, S, scorer=_rf().LCSseq.normalized_similarity, workers=2
            )
        },
        repeat=5,
        goal="goal <= 0.1 s and <= rapidfuzz",
        check=lambda a, b: bool(np.allclose(a, b, atol=1e-9)),
    ),
    Workload(
        name="matrix profile 10k m=64, 2 threads",
        setup=lambda: (_walks(10_000, seed=11),),
        ours=lambda T: tc.matrix_profile(T, 64, n_jobs=2).profile,
        peers={"stumpy.stump (after JIT warm-up)": lambda T: _stump(T)},
        repeat=5,
        goal="goal <= 0.15 s, no JIT",
        check=lambda a, b: bool(np.allclose(a, b, atol=1e-5)),
    ),
    Workload(
        name="StreamMatcher pattern 64, extend 200k samples",
        setup=_stream_inputs,
        ours=_run_stream,
        repeat=5,
        goal="goal >= 1M samples/s (0.2 s)",
    ),
    Workload(
        name="StreamMatcher pattern 64 window 4, extend 200k samples",
        setup=_stream_inputs,
        ours=_run_stream_window,
        repeat=5,
        goal="goal >= 1M samples/s (0.2 s)",
    ),
    Workload(
        name="StreamMatcher pattern 64, update() x 50k samples",
        setup=_stream_inputs,
        ours=_run_stream_by_sample,
        repeat=5,
        goal="goal >= 1M samples/s (0.05 s)",
    ),
    Workload(
        name="soft-DTW value 500 x 500, gamma 1",
        setup=lambda: (_walks(500, seed=21), _walks(500, seed=22)),
        ours=lambda x, y: tc.soft_dtw(x, y, gamma=1.0),
        peers={"tslearn.metrics.soft_dtw": lambda x, y: _tsm().soft_dtw(x, y, gamma=1.0)},
        repeat=7,
        check=lambda a, b: math.isclose(a, b, rel_tol=1e-9),
    ),
    Workload(
        name="soft-DTW gradient 300 x 300 x 2, gamma 0.1",
        setup=lambda: (_walks(2, 300, seed=23).T.copy(), _walks(2, 300, seed=24).T.copy()),
        ours=lambda x, y: tc.soft_dtw_grad(x, y, gamma=0.1)[1],
        peers={"tslearn SoftDTW.grad + jacobian_product": lambda x, y: _tslearn_grad(x, y, 0.1)},
        repeat=7,
        check=lambda a, b: bool(np.allclose(a, b, rtol=1e-7, atol=1e-9)),
    ),
    Workload(
        name="AB-join matrix profile 5k x 5k m=64, 2 threads",
        setup=lambda: (_walks(5_000, seed=25), _walks(5_000, seed=26)),
        ours=lambda a, b: tc.matrix_profile(a, 64, T_B=b, n_jobs=2).profile,
        peers={
            "stumpy.stump(T_B, ignore_trivial=False)": lambda a, b: (
                _stumpy().stump(a, 64, b, ignore_trivial=False)[:, 0].astype(np.float64)
            )
        },
        repeat=5,
        check=lambda a, b: bool(np.allclose(a, b, atol=1e-5)),
    ),
    Workload(
        name="top-3 matrix profile 5k m=64, 2 threads",
        setup=lambda: (_walks(5_000, seed=27),),
        ours=lambda t: tc.matrix_profile(t, 64, k=3, n_jobs=2).profile,
        peers={
            "stumpy.stump(k=3)": lambda t: _stumpy().stump(t, 64, k=3)[:, :3].astype(np.float64)
        },
        repeat=5,
        check=lambda a, b: bool(np.allclose(a, b, atol=1e-5)),
    ),
    Workload(
        name="psi-relaxed dtw n=1000 psi=20",
        setup=_pair1000,
        ours=lambda x, y: tc.dtw(x, y, psi=20),
        peers={"dtaidistance.distance_fast(psi)": lambda x, y: _dtai().distance_fast(x, y, psi=20)},
        number=3,
        check=_close,
    ),
    Workload(
        name="dtw_path n=3000 unconstrained, linear memory vs full table",
        setup=lambda: (_walks(3000, seed=28), _walks(3000, seed=29)),
        ours=lambda x, y: tc.dtw_path(x, y, memory="linear")[0],
        peers={
            "midstream dtw_path (byte per cell)": lambda x, y: tc.dtw_path(x, y, memory="band")[0],
            "dtaidistance.warping_path_fast": lambda x, y: _path_cost(
                x, y, _dtai().warping_path_fast(x, y)
            ),
        },
        repeat=5,
        check=lambda a, b: math.isclose(a, b, rel_tol=1e-9),
    ),
    Workload(
        name="cdist dtw 3-D (40, 100, 3)",
        setup=lambda: (_walks(40, 3, 100, seed=30).transpose(0, 2, 1).copy(),),
        ours=lambda X: tc.cdist(X, n_jobs=2),
        peers={"tslearn.metrics.cdist_dtw": lambda X: _tsm().cdist_dtw(X)},
        repeat=5,
        check=lambda a, b: bool(np.allclose(a, b)),
    ),
    Workload(
        name="extract top-5 levenshtein, 1 query vs 10k words",
        setup=lambda: _words(),
        ours=lambda q, words: [i for _, _, i in tc.extract(q, words, k=5, workers=2)],
        peers={
            "rapidfuzz.process.extract": lambda q, words: [
                i
                for _, _, i in _rfp().extract(q, words, scorer=_rf().Levenshtein.distance, limit=5)
            ]
        },
        repeat=7,
        check=lambda a, b: sorted(a) == sorted(b),
    ),
]


def _tsm():
    import tslearn.metrics

    return tslearn.metrics


def _tslearn_grad(x, y, gamma):
    metrics = _tsm()
    D = metrics.SquaredEuclidean(x, y)
    sdtw = metrics.SoftDTW(D, gamma=gamma)
    sdtw.compute()
    return D.jacobian_product(sdtw.grad())


def _stumpy():
    import stumpy

    return stumpy


def _words():
    rng = np.random.default_rng(31)
    letters = np.array(list("abcdefghij"))
    words = ["".join(rng.choice(letters, int(rng.integers(4, 12)))) for _ in range(10_000)]
    return "abcdefgh", words


def _rf():
    from rapidfuzz import distance

    return distance


def _rfp():
    from rapidfuzz import process

    return process


def _stump(T):
    import stumpy

    return stumpy.stump(T, 64)[:, 0].astype(np.float64)
