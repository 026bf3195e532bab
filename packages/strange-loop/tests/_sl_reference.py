"""Plain, obviously-correct reference learners for the tests (Python lists and loops).

Each consumes random numbers in the documented order, so for the same seed it must
choose exactly the same actions as the package's learner.
"""

from __future__ import annotations

import math

import numpy as np


def eps_greedy(values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(values)))
    top = max(values)
    ties = [i for i, v in enumerate(values) if v == top]
    if len(ties) == 1:
        return ties[0]
    return ties[int(rng.integers(len(ties)))]


class RefTabular:
    def __init__(self, n_s, n_a, alpha, gamma, epsilon, seed, kind, lam=0.0):
        self.q = [[0.0] * n_a for _ in range(n_s)]
        self.e = [[0.0] * n_a for _ in range(n_s)]
        self.alpha, self.gamma, self.epsilon, self.lam = alpha, gamma, epsilon, lam
        self.rng = np.random.default_rng(seed)
        self.kind = kind
        self.pending = None

    def act(self, s):
        if self.pending is not None and self.pending[0] == s:
            a = self.pending[1]
            self.pending = None
            return a
        self.pending = None
        return eps_greedy(self.q[s], self.epsilon, self.rng)

    def observe(self, s, a, r, s2, term, trunc):
        q = self.q
        if term:
            target = r
            self.pending = None
        elif self.kind == "q":
            target = r + self.gamma * max(q[s2])
        elif self.kind == "expected":
            n = len(q[s2])
            top = max(q[s2])
            ties = sum(1 for v in q[s2] if v == top)
            exp = 0.0
            for v in q[s2]:
                p = self.epsilon / n + ((1 - self.epsilon) / ties if v == top else 0.0)
                exp += p * v
            target = r + self.gamma * exp
        else:  # sarsa(lambda), replacing traces
            a2 = eps_greedy(q[s2], self.epsilon, self.rng)
            self.pending = (s2, a2)
            target = r + self.gamma * q[s2][a2]
        delta = target - q[s][a]
        if self.kind == "sarsa":
            self.e[s][a] = 1.0
            for i in range(len(q)):
                for j in range(len(q[i])):
                    q[i][j] += self.alpha * delta * self.e[i][j]
                    self.e[i][j] *= self.gamma * self.lam
        else:
            q[s][a] += self.alpha * delta

    def end_episode(self):
        self.e = [[0.0] * len(row) for row in self.e]
        self.pending = None


class RefBandit:
    """ε-greedy (sample average or constant α), UCB, Gaussian Thompson, gradient bandit."""

    def __init__(self, k, kind, seed, epsilon=0.1, alpha=None, c=2.0, discount=1.0):
        self.k, self.kind = k, kind
        self.rng = np.random.default_rng(seed)
        self.q = [0.0] * k
        self.n = [0] * k
        self.t = 0
        self.epsilon, self.alpha, self.c, self.discount = epsilon, alpha, c, discount
        self.h = [0.0] * k
        self.mean = 0.0
        self.w = [0.0] * k
        self.s = [0.0] * k

    def _argmax(self, vals):
        top = max(vals)
        ties = [i for i, v in enumerate(vals) if v == top]
        return ties[0] if len(ties) == 1 else ties[int(self.rng.integers(len(ties)))]

    def probs(self):
        m = max(self.h)
        z = [math.exp(x - m) for x in self.h]
        tot = sum(z)
        return [x / tot for x in z]

    def act(self):
        if self.kind == "eps":
            return eps_greedy(self.q, self.epsilon, self.rng)
        if self.kind == "ucb":
            for i in range(self.k):
                if self.n[i] == 0:
                    return i
            return self._argmax(
                [
                    self.q[i] + self.c * math.sqrt(math.log(self.t) / self.n[i])
                    for i in range(self.k)
                ]
            )
        if self.kind == "thompson":
            z = self.rng.standard_normal(self.k)
            vals = []
            for i in range(self.k):
                prec = 1.0 + self.w[i]
                mean = self.s[i] / prec
                vals.append(mean + math.sqrt(1.0 / prec) * z[i])
            return self._argmax(vals)
        # gradient: inverse CDF
        u = self.rng.random()
        p = self.probs()
        acc = 0.0
        total = sum(p)
        for i, x in enumerate(p):
            acc += x
            if u * total < acc:
                return i
        return self.k - 1

    def observe(self, a, r):
        if self.kind in ("eps", "ucb"):
            self.t += 1
            self.n[a] += 1
            step = self.alpha if self.alpha is not None else 1.0 / self.n[a]
            self.q[a] += step * (r - self.q[a])
        elif self.kind == "thompson":
            if self.discount < 1:
                self.w = [x * self.discount for x in self.w]
                self.s = [x * self.discount for x in self.s]
            self.w[a] += 1.0
            self.s[a] += r
        else:
            p = self.probs()
            for i in range(self.k):
                self.h[i] += self.alpha * (r - self.mean) * ((1.0 if i == a else 0.0) - p[i])
            self.t += 1
            self.mean += (r - self.mean) / self.t
