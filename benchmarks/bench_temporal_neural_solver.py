"""temporal_neural_solver: parsing, evaluation, monitoring, robustness, model checking."""

import numpy as np

import temporal_neural_solver as tns

RESPONSE = "G (request -> F response)"
NESTED = "G (a -> X (b U (c | F d)))"
BIG = " & ".join(f"(p{i} -> F q{i})" for i in range(67))


class Evaluate:
    params = [1_000, 100_000]
    param_names = ["n"]

    def setup(self, n):
        rng = np.random.default_rng(0)
        self.trace = {a: rng.random(n) < 0.3 for a in ("request", "response", "a", "b", "c", "d")}
        self.times = np.cumsum(rng.uniform(0.5, 1.5, n))

    def time_response(self, n):
        tns.evaluate(RESPONSE, self.trace)

    def time_nested(self, n):
        tns.evaluate(NESTED, self.trace)

    def time_timed(self, n):
        tns.evaluate("G (request -> F[0,10] response)", self.trace, times=self.times)


class Parse:
    def time_parse_201_operators(self):
        tns.parse(BIG)


class Monitoring:
    def setup(self):
        rng = np.random.default_rng(1)
        self.trace = {a: rng.random(100_000) < 0.3 for a in ("request", "response")}
        self.steps = [
            {"request": bool(a), "response": bool(b)}
            for a, b in zip(
                self.trace["request"][:10_000], self.trace["response"][:10_000], strict=True
            )
        ]
        self.monitor = tns.Monitor(RESPONSE)
        self.monitor.run(self.trace)  # warm the automaton

    def time_step_10k(self):
        step = self.monitor.step
        for s in self.steps:
            step(s)

    def time_run_100k(self):
        self.monitor.reset()
        self.monitor.run(self.trace)


class Robustness:
    def setup(self):
        self.x = {"x": np.random.default_rng(2).normal(size=100_000)}

    def time_bounded_always(self):
        tns.robustness("G[0,100] (x <= 3)", self.x)

    def time_smooth_with_gradient(self):
        tns.smooth_robustness("G[0,100] (x <= 3)", self.x, temperature=0.1)


class ModelChecking:
    def setup(self):
        rng = np.random.default_rng(3)
        n = 100_000
        src = np.repeat(np.arange(n), 3)
        dst = rng.integers(0, n, size=src.size)
        labels = {"req": rng.random(n) < 0.1, "resp": rng.random(n) < 0.3}
        self.big = tns.Kripke.from_arrays(n, src, dst, labels, [0])
        m = 1000
        src = np.repeat(np.arange(m), 3)
        dst = rng.integers(0, m, size=src.size)
        labels = {"req": rng.random(m) < 0.1, "resp": rng.random(m) < 0.3}
        self.small = tns.Kripke.from_arrays(m, src, dst, labels, [0])

    def time_ctl_100k(self):
        tns.check_ctl(self.big, "AG (req -> AF resp)")

    def time_ltl_1000(self):
        tns.check_ltl(self.small, "G (req -> F resp)")
