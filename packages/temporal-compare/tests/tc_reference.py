"""Small, obviously correct reference implementations the kernels are checked against."""

from __future__ import annotations

import math

import numpy as np


def local_cost(u, v, metric):
    u, v = np.atleast_1d(u), np.atleast_1d(v)
    if metric == "sqeuclidean":
        return float(sum((p - q) ** 2 for p, q in zip(u, v, strict=False)))
    if metric == "absolute":
        return float(sum(abs(p - q) for p, q in zip(u, v, strict=False)))
    return math.sqrt(sum((p - q) ** 2 for p, q in zip(u, v, strict=False)))


def itakura_allowed(i, j, n, m, s):
    if n == 1 or m == 1:
        return True
    u, v = i / (n - 1), j / (m - 1)
    tol = 1e-9 / max(1, m - 1)
    return (
        v >= u / s - tol
        and v <= s * u + tol
        and 1 - v <= s * (1 - u) + tol
        and 1 - v >= (1 - u) / s - tol
    )


def dtw_matrix(x, y, window=None, metric="sqeuclidean", slope=None, step="symmetric1"):
    """Full accumulated-cost matrix, straight from the textbook recurrence."""
    n, m = len(x), len(y)
    inf = math.inf
    D = [[inf] * m for _ in range(n)]
    for i in range(n):
        for j in range(m):
            if window is not None and abs(i - j) > window:
                continue
            if slope is not None and not itakura_allowed(i, j, n, m, slope):
                continue
            c = local_cost(x[i], y[j], metric)
            if i == 0 and j == 0:
                D[i][j] = c
                continue
            dg = D[i - 1][j - 1] if i and j else inf
            up = D[i - 1][j] if i else inf
            left = D[i][j - 1] if j else inf
            if step == "symmetric1":
                D[i][j] = c + min(dg, up, left)
            else:
                D[i][j] = min(dg + 2 * c, up + c, left + c)
    return D


def dtw(x, y, **kw):
    n, m = len(x), len(y)
    if n == 0 or m == 0:
        return 0.0 if n == m else math.inf
    total = dtw_matrix(x, y, **kw)[n - 1][m - 1]
    return math.sqrt(total) if kw.get("metric", "sqeuclidean") == "sqeuclidean" else total


def lcss_length(x, y, eps, window=None):
    n, m = len(x), len(y)
    L = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            close = np.all(np.abs(np.atleast_1d(x[i - 1]) - np.atleast_1d(y[j - 1])) <= eps)
            if close and (window is None or abs(i - j) <= window):
                L[i][j] = L[i - 1][j - 1] + 1
            else:
                L[i][j] = max(L[i - 1][j], L[i][j - 1])
    return L[n][m]


def lcs_length(a, b):
    L = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                L[i][j] = L[i - 1][j - 1] + 1
            else:
                L[i][j] = max(L[i - 1][j], L[i][j - 1])
    return L[len(a)][len(b)]


def levenshtein(a, b, ins=1, dele=1, sub=1):
    n, m = len(a), len(b)
    D = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        D[i][0] = i * dele
    for j in range(m + 1):
        D[0][j] = j * ins
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D[i][j] = min(
                D[i - 1][j - 1] + (0 if a[i - 1] == b[j - 1] else sub),
                D[i - 1][j] + dele,
                D[i][j - 1] + ins,
            )
    return D[n][m]


def osa(a, b):
    n, m = len(a), len(b)
    D = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        D[i][0] = i
    for j in range(m + 1):
        D[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D[i][j] = min(
                D[i - 1][j - 1] + (a[i - 1] != b[j - 1]), D[i - 1][j] + 1, D[i][j - 1] + 1
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                D[i][j] = min(D[i][j], D[i - 2][j - 2] + 1)
    return D[n][m]


def damerau_levenshtein(a, b):
    """Unrestricted distance by breadth-first search over edit operations (tiny inputs)."""
    a, b = tuple(a), tuple(b)
    if a == b:
        return 0
    seen = {a}
    frontier = [a]
    alphabet = set(a) | set(b)
    dist = 0
    while frontier:
        dist += 1
        nxt = []
        for s in frontier:
            cands = []
            for i in range(len(s) + 1):
                for c in alphabet:
                    cands.append((*s[:i], c, *s[i:]))
            for i in range(len(s)):
                cands.append(s[:i] + s[i + 1 :])
                for c in alphabet:
                    cands.append((*s[:i], c, *s[i + 1 :]))
                if i + 1 < len(s):
                    cands.append((*s[:i], s[i + 1], s[i], *s[i + 2 :]))
            for t in cands:
                if t == b:
                    return dist
                if t not in seen and len(t) <= max(len(a), len(b)) + 1:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    raise AssertionError("unreachable")


def apply_editops(a, b, ops):
    """Apply python-Levenshtein style edit operations to ``a`` (positions refer to ``a``)."""
    out = []
    i = 0
    for op, si, dj in ops:
        while i < si:
            out.append(a[i])
            i += 1
        if op == "replace":
            out.append(b[dj])
            i += 1
        elif op == "delete":
            i += 1
        else:
            out.append(b[dj])
    out.extend(a[i:])
    return out


def spring(stream, pattern, eps):
    """SPRING exactly as the paper's pseudocode states it (squared costs, eps squared)."""
    m = len(pattern)
    inf = math.inf
    d = [0.0] + [inf] * m
    s = [0] * (m + 1)
    dmin, ts, te = inf, 0, 0
    out = []
    for t, x in enumerate(stream):
        nd = [0.0] + [inf] * m
        ns = [t] + [0] * m
        for i in range(1, m + 1):
            options = [(nd[i - 1], ns[i - 1]), (d[i], s[i]), (d[i - 1], s[i - 1])]
            best, start = options[0]
            for value, st in options[1:]:
                if value < best:
                    best, start = value, st
            nd[i] = (x - pattern[i - 1]) ** 2 + best
            ns[i] = start
        if dmin <= eps * eps and all(nd[i] >= dmin or ns[i] > te for i in range(1, m + 1)):
            out.append((ts, te, math.sqrt(dmin)))
            dmin = inf
            for i in range(1, m + 1):
                if ns[i] <= te:
                    nd[i] = inf
        if nd[m] <= eps * eps and nd[m] < dmin:
            dmin, ts, te = nd[m], ns[m], t
        d, s = nd, ns
    return out


def profile_distances(t, m, t_b=None):
    """Distances between all pairs of windows, z-normalised; a self-join (``t_b``
    None) blanks the ceil(m / 4) exclusion zone. Windows with NaN/inf are inf."""

    def windows(x):
        w = np.array([x[i : i + m] for i in range(len(x) - m + 1)], dtype=float)
        bad = ~np.isfinite(w).all(axis=1)
        w = np.where(bad[:, None], 0.0, w)
        std = w.std(axis=1)
        const = (std < 1e-8) & ~bad
        z = np.where(
            const[:, None],
            0.0,
            (w - w.mean(1, keepdims=True)) / np.where(std < 1e-8, 1, std)[:, None],
        )
        return z, const, bad

    za, ca, ba = windows(t)
    zb, cb, bb = (za, ca, ba) if t_b is None else windows(t_b)
    d = np.sqrt(((za[:, None, :] - zb[None, :, :]) ** 2).sum(-1))
    # stumpy's convention for constant windows
    d[np.logical_xor.outer(ca, cb)] = math.sqrt(m)
    d[np.logical_and.outer(ca, cb)] = 0.0
    d[np.logical_or.outer(ba, bb)] = np.inf
    if t_b is None:
        ex = math.ceil(m / 4)
        for i in range(len(za)):
            d[i, max(0, i - ex) : i + ex + 1] = np.inf
    return d


def znorm(x):
    s = x.std()
    return np.zeros_like(x) if s < 1e-8 else (x - x.mean()) / s


def search_brute_force(query, series, k, window, exclusion, metric="dtw", normalise=True):
    """Every window scored, then the greedy best-first picks ``exclusion`` apart."""
    m = len(query)
    q = znorm(query) if normalise else query
    dists = []
    for i in range(len(series) - m + 1):
        w = znorm(series[i : i + m]) if normalise else series[i : i + m]
        if metric == "dtw":
            d = dtw(list(w), list(q), window=window)
        else:
            d = math.sqrt(((w - q) ** 2).sum())
        dists.append((d, i))
    picked = []
    for d, i in sorted(dists):
        if all(abs(i - j) >= max(exclusion, 1) for _, j in picked):
            picked.append((d, i))
        if len(picked) == k:
            break
    return picked


def soft_dtw(x, y, gamma):
    """Soft-DTW straight from the paper's recurrence, with a plain log-sum-exp."""
    x, y = np.atleast_2d(np.asarray(x, dtype=float).T).T, np.atleast_2d(np.asarray(y, float).T).T
    n, m = len(x), len(y)
    R = [[math.inf] * (m + 1) for _ in range(n + 1)]
    R[0][0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            prev = [R[i - 1][j - 1], R[i - 1][j], R[i][j - 1]]
            lo = min(prev)
            smooth = lo - gamma * math.log(sum(math.exp(-(v - lo) / gamma) for v in prev))
            R[i][j] = float(((x[i - 1] - y[j - 1]) ** 2).sum()) + smooth
    return R[n][m]
