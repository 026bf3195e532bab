#!/usr/bin/env python3
"""strange-loop task benchmarks: the non-stationary 10-armed testbed, FrozenLake, CliffWalking,
safety under random proposals, and the meta-cycle time.

Usage::

    python benchmarks/strange_loop_tasks.py [testbed|testbed-paired|frozenlake|
        frozenlake-optimistic|frozenlake-population|frozenlake-alpha-grid|cliff|
        cliff-population|safety|cycle|replay ...]
        [--runs 200] [--seeds 20] [--quick]

Fixed-setting rows of the testbed use a plain vectorised numpy reference (all runs at
once); the meta-adapted rows run strange-loop's own learners, one run at a time.
Evaluation seeds are 0..runs-1 (testbed) and 0..seeds-1 (gym tasks); development runs
use --seed-offset 1000, and nothing was tuned on the evaluation seeds. Prints Markdown tables.
"""

# ruff: noqa: E501  (Markdown table rows are printed as single f-strings)
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import strange_loop as sl
from strange_loop.envs import NonstationaryBandit

K = 10
SEED0 = 0  # first evaluation seed; --seed-offset changes it for development runs


# ------------------------------------------------------------------ testbed reference
def _greedy(q, rng):
    # argmax with uniformly random tie-breaking, per row
    noise = rng.random(q.shape)
    return np.argmax(np.where(q == q.max(axis=1, keepdims=True), noise + 1.0, 0.0), axis=1)


def testbed_reference(policy, runs, steps, seed, **kw):
    """Average reward per step and optimal-action flags of ``policy`` over ``runs`` runs."""
    rng = np.random.default_rng(seed)
    idx = np.arange(runs)
    q_star = np.zeros((runs, K))
    q = np.zeros((runs, K))
    n = np.zeros((runs, K))
    h = np.zeros((runs, K))
    mean_r = np.zeros(runs)
    rewards = np.empty((steps, runs))
    optimal = np.empty((steps, runs), dtype=bool)
    for t in range(steps):
        if policy == "egreedy":
            explore = rng.random(runs) < kw["epsilon"]
            a = np.where(explore, rng.integers(K, size=runs), _greedy(q, rng))
        elif policy == "ucb":
            untried = n == 0
            bonus = kw["c"] * np.sqrt(np.log(max(t, 1)) / np.maximum(n, 1))
            score = np.where(untried, np.inf, q + bonus)
            a = _greedy(score, rng)
        else:  # gradient
            z = np.exp(h - h.max(axis=1, keepdims=True))
            pi = z / z.sum(axis=1, keepdims=True)
            a = (rng.random((runs, 1)) < np.cumsum(pi, axis=1)).argmax(axis=1)
        r = q_star[idx, a] + rng.standard_normal(runs)
        rewards[t] = r
        optimal[t] = q_star[idx, a] == q_star.max(axis=1)
        if policy == "gradient":
            one = np.zeros((runs, K))
            one[idx, a] = 1.0
            h += kw["alpha"] * (r - mean_r)[:, None] * (one - pi)
            mean_r += (r - mean_r) / (t + 1)
        else:
            n[idx, a] += 1
            step = 1.0 / n[idx, a] if kw.get("alpha") is None else kw["alpha"]
            q[idx, a] += step * (r - q[idx, a])
        q_star += 0.01 * rng.standard_normal((runs, K))
    return rewards, optimal


def _tail(rewards, optimal, steps):
    per_run = rewards[steps // 2 :].mean(axis=0)
    return per_run, optimal[steps // 2 :].mean()


def _row(name, per_run, opt):
    q1, q3 = np.percentile(per_run, [25, 75])
    return f"| {name} | {per_run.mean():.3f} | {np.median(per_run):.3f} | {q1:.2f}-{q3:.2f} | {100 * opt:.1f}% |"


def bench_testbed(runs, steps, ref_runs, ours=True):
    print(f"\n### Non-stationary 10-armed testbed ({steps} steps; last {steps // 2} averaged)\n")
    print("| learner | mean reward | median over runs | IQR over runs | % optimal |")
    print("| --- | --- | --- | --- | --- |")
    seed = 12345 + SEED0
    rows = {}
    r, o = testbed_reference("egreedy", ref_runs, steps, seed, epsilon=0.1, alpha=None)
    rows["sa"] = _tail(r, o, steps)
    print(_row(f"sample-average ε-greedy ε=0.1 (numpy reference, {ref_runs} runs)", *rows["sa"]))
    r, o = testbed_reference("egreedy", ref_runs, steps, seed, epsilon=0.1, alpha=0.1)
    rows["c"] = _tail(r, o, steps)
    print(_row(f"constant-α ε-greedy α=0.1 ε=0.1 (reference, {ref_runs} runs)", *rows["c"]))
    best = None
    for alpha in (0.05, 0.1, 0.2, 0.4):
        for eps in (0.01, 0.02, 0.05, 0.1):
            r, o = testbed_reference("egreedy", ref_runs, steps, seed, epsilon=eps, alpha=alpha)
            res = _tail(r, o, steps)
            if best is None or res[0].mean() > best[0][0].mean():
                best = (res, alpha, eps)
    print(_row(f"hindsight-best ε-greedy α={best[1]} ε={best[2]} (grid 4×4, reference)", *best[0]))
    bu = None
    for alpha in (0.025, 0.05, 0.1, 0.2, 0.4):
        for c in (0.25, 0.5, 1.0, 2.0, 4.0):
            r, o = testbed_reference("ucb", ref_runs, steps, seed, c=c, alpha=alpha)
            res = _tail(r, o, steps)
            if bu is None or res[0].mean() > bu[0][0].mean():
                bu = (res, alpha, c)
    print(
        _row(f"hindsight-best constant-step UCB α={bu[1]} c={bu[2]} (grid 5×5, reference)", *bu[0])
    )
    bg = None
    for alpha in (0.00625, 0.0125, 0.025, 0.05, 0.1, 0.2, 0.4):
        r, o = testbed_reference("gradient", ref_runs, steps, seed, alpha=alpha)
        res = _tail(r, o, steps)
        if bg is None or res[0].mean() > bg[0][0].mean():
            bg = (res, alpha)
    print(_row(f"hindsight-best gradient bandit α={bg[1]} (grid of 7, reference)", *bg[0]))

    def run_ours(make, label):
        per_run, opts = [], []
        t0 = time.perf_counter()
        for s in range(SEED0, SEED0 + runs):
            env = NonstationaryBandit(K, steps=steps)
            env.reset(seed=s)
            agent = make(s)
            rewards, optimal = [], []
            for _ in range(steps):
                a = agent.act(0)
                _, rew, _, _, info = env.step(a)
                agent.observe(0, a, rew, 0, False, False)
                rewards.append(rew)
                optimal.append(info["optimal"])
            per_run.append(np.mean(rewards[steps // 2 :]))
            opts.append(np.mean(optimal[steps // 2 :]))
        dt = time.perf_counter() - t0
        per_run_arr = np.array(per_run)
        print(_row(f"{label} ({runs} runs, {dt:.0f} s)", per_run_arr, float(np.mean(opts))))
        return per_run_arr

    if not ours:
        return
    run_ours(
        lambda s: sl.EpsilonGreedyBandit(K, epsilon=0.1, alpha=0.1, seed=s),
        "strange-loop constant-α ε-greedy α=0.1 ε=0.1",
    )
    meta = run_ours(
        lambda s: sl.StrangeLoop(
            sl.EpsilonGreedyBandit(K, epsilon=0.1, alpha=0.1, seed=s), max_depth=3, seed=s
        ),
        "**StrangeLoop(ε-greedy α=0.1 ε=0.1, max_depth=3), defaults**",
    )
    hb = best[0][0].mean()
    sa = rows["sa"][0].mean()
    print(
        f"\nmeta / hindsight-best ε-greedy = {meta.mean() / hb:.3f} (goal ≥ 0.98); "
        f"meta / sample-average = {meta.mean() / sa:.3f} (goal ≥ 1.25)"
    )


def _testbed_ours(make, runs, steps):
    """Per-run averages over the last half and % optimal of one strange-loop agent."""
    per_run, opts, eps = [], [], []
    for s in range(SEED0, SEED0 + runs):
        env = NonstationaryBandit(K, steps=steps)
        env.reset(seed=s)
        agent = make(s)
        rewards, optimal = np.empty(steps), np.empty(steps, dtype=bool)
        for t in range(steps):
            a = agent.act(0)
            _, rewards[t], _, _, info = env.step(a)
            agent.observe(0, a, rewards[t], 0, False, False)
            optimal[t] = info["optimal"]
        per_run.append(rewards[steps // 2 :].mean())
        opts.append(optimal[steps // 2 :].mean())
        base = getattr(agent, "base", agent)
        eps.append(base.hyperparameters["epsilon"])
    return np.array(per_run), float(np.mean(opts)), np.array(eps)


_PAIRED_ROWS = {
    "fixed α=0.1 ε=0.1 (the meta-learners' start)": lambda s: sl.EpsilonGreedyBandit(
        K, epsilon=0.1, alpha=0.1, seed=s
    ),
    "fixed α=0.2 ε=0.02 (hindsight-best of the reference grid)": lambda s: sl.EpsilonGreedyBandit(
        K, epsilon=0.02, alpha=0.2, seed=s
    ),
    "fixed α=0.1 ε=0.025 (the lower edge of the paired test's default range)": lambda s: (
        sl.EpsilonGreedyBandit(K, epsilon=0.025, alpha=0.1, seed=s)
    ),
    "**StrangeLoop(α=0.1 ε=0.1, exploration='paired', tune=[])**": lambda s: sl.StrangeLoop(
        sl.EpsilonGreedyBandit(K, epsilon=0.1, alpha=0.1, seed=s),
        tune=[],
        exploration="paired",
        seed=s,
    ),
    "StrangeLoop(same, span=16): ε free in [0.00625, 1]": lambda s: sl.StrangeLoop(
        sl.EpsilonGreedyBandit(K, epsilon=0.1, alpha=0.1, seed=s),
        tune=[],
        exploration="paired",
        span=16,
        seed=s,
    ),
    "StrangeLoop(same, max_depth=3, exploration='paired'): α by the level-1 bandit": lambda s: (
        sl.StrangeLoop(
            sl.EpsilonGreedyBandit(K, epsilon=0.1, alpha=0.1, seed=s),
            max_depth=3,
            exploration="paired",
            seed=s,
        )
    ),
}


def _paired_row(args):
    name, runs, steps, seed0 = args
    global SEED0
    SEED0 = seed0
    t0 = time.perf_counter()
    per_run, opt, eps = _testbed_ours(_PAIRED_ROWS[name], runs, steps)
    return name, per_run, opt, eps, time.perf_counter() - t0


def bench_testbed_paired(runs, steps, ref_runs, jobs):
    """The paired-exploration rows, fixed rows on the same seeds, and paired differences."""
    from multiprocessing import Pool

    print(f"\n### Testbed: paired exploration test ({steps} steps, {runs} runs, seeds {SEED0}..)\n")
    seed = 12345 + SEED0
    r, o = testbed_reference("egreedy", ref_runs, steps, seed, epsilon=0.1, alpha=None)
    sa = _tail(r, o, steps)[0].mean()
    r, o = testbed_reference("egreedy", ref_runs, steps, seed, epsilon=0.02, alpha=0.2)
    hb = _tail(r, o, steps)[0].mean()
    print(f"reference ({ref_runs} runs): sample-average ε=0.1 {sa:.3f}; α=0.2 ε=0.02 {hb:.3f}\n")
    print("| learner | mean reward | median | IQR | % optimal | final ε (10/50/90%) | time |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    with Pool(jobs) as pool:
        results = pool.map(_paired_row, [(n, runs, steps, SEED0) for n in _PAIRED_ROWS], 1)
    out = {}
    for name, per_run, opt, eps, dt in results:
        out[name] = per_run
        q1, q3 = np.percentile(per_run, [25, 75])
        e = np.percentile(eps, [10, 50, 90])
        print(
            f"| {name} | {per_run.mean():.3f} | {np.median(per_run):.3f} | {q1:.2f}-{q3:.2f} | {100 * opt:.1f}% | {e[0]:.4g} / {e[1]:.4g} / {e[2]:.4g} | {dt:.0f} s |"
        )
    names = list(_PAIRED_ROWS)
    best = out[names[1]]
    print(
        "\n| learner | − fixed hindsight-best, same seeds (± SE) | ratio to it | ratio to reference α=0.2 ε=0.02 | ratio to reference sample-average |"
    )
    print("| --- | --- | --- | --- | --- |")
    for name in names[3:]:
        d = out[name] - best
        print(
            f"| {name} | {d.mean():+.4f} ± {d.std(ddof=1) / np.sqrt(d.size):.4f} | {out[name].mean() / best.mean():.3f} | {out[name].mean() / hb:.3f} | {out[name].mean() / sa:.3f} |"
        )


# ------------------------------------------------------------------ gym tasks
def _gym_task(
    env_id, make_env, seeds, train_eps, eval_eps, metric, optimistic=None, population=False
):
    import gymnasium as gym  # benchmark-only

    def one(make_agent, seed):
        env = make_env(gym)
        agent = make_agent(env, seed)
        sl.train(agent, env, episodes=train_eps, seed=seed)
        ev = sl.evaluate(agent, env, episodes=eval_eps, seed=10_000 + seed)
        return ev.success_rate if metric == "success" else ev.mean_return

    def fixed(env, s, q0=0.0):
        return sl.TabularQLearning(
            env.observation_space,
            env.action_space,
            alpha=0.1,
            gamma=0.99,
            epsilon=0.1,
            initial_value=q0,
            seed=s,
        )

    def meta(env, s, q0=0.0):
        return sl.StrangeLoop(fixed(env, s, q0), max_depth=3, unit="episode", seed=s)

    def population_meta(env, s, depth):
        # α chosen by the step-size population; with tune=[] nothing else adapts
        tune = [] if depth == 0 else None
        return sl.StrangeLoop(
            fixed(env, s), depth, unit="episode", step_size="population", tune=tune, seed=s
        )

    learners = [
        ("fixed Q-learning α=0.1 ε=0.1 γ=0.99", fixed),
        ("StrangeLoop(same, max_depth=3), defaults", meta),
    ]
    if population:
        learners += [
            (
                "StrangeLoop(same, step_size='population', tune=[])",
                lambda env, s: population_meta(env, s, 0),
            ),
            (
                "StrangeLoop(same, max_depth=3, step_size='population')",
                lambda env, s: population_meta(env, s, 3),
            ),
        ]
    if optimistic is not None:
        # optimistic initial values (Sutton & Barto 2018, section 2.6): Q0 = an upper bound
        # of the return, the same for the fixed learner and the meta-learner's base
        learners += [
            (
                f"fixed Q-learning, same, optimistic Q0={optimistic}",
                lambda env, s: fixed(env, s, optimistic),
            ),
            (
                f"StrangeLoop(optimistic Q0={optimistic} base, max_depth=3), defaults",
                lambda env, s: meta(env, s, optimistic),
            ),
        ]
    out = {}
    for name, make in learners:
        t0 = time.perf_counter()
        vals = np.array([one(make, s) for s in range(SEED0, SEED0 + seeds)])
        out[name] = vals
        q1, q3 = np.percentile(vals, [25, 75])
        print(
            f"| {env_id} | {name} | {train_eps} | {np.median(vals):.3f} | {q1:.3f}-{q3:.3f} | {vals.min():.3f}-{vals.max():.3f} | {time.perf_counter() - t0:.0f} s |"
        )
    return out


def bench_frozenlake(seeds, budgets, optimistic_budgets=(), population=False):
    print("\n### FrozenLake-v1 4×4 slippery: greedy success rate over 1,000 evaluation episodes\n")
    print("| task | learner | training episodes | median | IQR | min-max | time |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for budget in budgets:
        _gym_task(
            "FrozenLake-v1",
            lambda gym: gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True),
            seeds,
            budget,
            1000,
            "success",
            optimistic=1.0 if budget in optimistic_budgets else None,
            population=population,
        )


def bench_frozenlake_alpha_grid(seeds):
    """Fixed Q-learning (ε=0.1, γ=0.99) at each step size the population may reach."""
    import gymnasium as gym  # benchmark-only

    print("\n### FrozenLake-v1 4×4 slippery, fixed step sizes (1,000 training episodes)\n")
    print("| α | median | IQR | min-max |")
    print("| --- | --- | --- | --- |")
    for alpha in (0.025, 0.05, 0.1, 0.2, 0.4):
        vals = []
        for s in range(SEED0, SEED0 + seeds):
            env = gym.make("FrozenLake-v1", map_name="4x4", is_slippery=True)
            agent = sl.TabularQLearning(
                env.observation_space,
                env.action_space,
                alpha=alpha,
                gamma=0.99,
                epsilon=0.1,
                seed=s,
            )
            sl.train(agent, env, episodes=1000, seed=s)
            vals.append(sl.evaluate(agent, env, episodes=1000, seed=10_000 + s).success_rate)
        v = np.array(vals)
        q1, q3 = np.percentile(v, [25, 75])
        print(f"| {alpha} | {np.median(v):.3f} | {q1:.3f}-{q3:.3f} | {v.min():.3f}-{v.max():.3f} |")


def bench_cliff(seeds, population=False):
    print("\n### CliffWalking-v1: greedy return (100 evaluation episodes, capped at 200 steps)\n")
    print("| task | learner | training episodes | median | IQR | min-max | time |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    _gym_task(
        "CliffWalking-v1",
        lambda gym: gym.make("CliffWalking-v1", max_episode_steps=200),
        seeds,
        200,
        100,
        "return",
        population=population,
    )


# ------------------------------------------------------------------ safety
def bench_safety(proposals):
    constraints = [
        "G (epsilon >= 0.01)",
        "G (alpha <= 0.5)",
        "G (reward_avg_100 >= baseline - 0.3)",
    ]
    guard = sl.SafetyGuard(constraints, baseline=0.0, window=100)
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(K, alpha=0.1, seed=0),
        max_depth=3,
        guard=guard,
        self_modification=True,
        block=20,
        seed=0,
    )
    env = NonstationaryBandit(K, steps=10**9)
    env.reset(seed=0)
    rng = np.random.default_rng(1)
    violating_applied = 0
    t0 = time.perf_counter()
    made = 0
    while made < proposals:
        for _ in range(20):
            a = loop.act(0)
            _, r, *_ = env.step(a)
            loop.observe(0, a, r, 0, False, False)
            hp = loop.base.hyperparameters
            if hp["epsilon"] < 0.01 or hp["alpha"] > 0.5:
                violating_applied += 1
        loop.propose(
            sl.Modification(
                "set",
                "base",
                {"epsilon": float(rng.uniform(0, 0.05)), "alpha": float(rng.uniform(0.01, 1.0))},
            )
        )
        made += 1
    total = time.perf_counter() - t0
    counts = guard.counts()
    user = [e for e in guard.audit if e.modification["source"] == "user"]
    by = {v: sum(e.verdict == v for e in user) for v in ("applied", "rejected", "limit")}
    print("\n### Safety under random proposals\n")
    print(
        f"{proposals} random proposals (ε ~ U(0, 0.05), α ~ U(0.01, 1)) with constraints {constraints}, "
        f"on a depth-3 loop whose own level-1..3 changes also pass the guard.\n"
    )
    print("| quantity | value |\n| --- | --- |")
    print(
        f"| random proposals applied / rejected / over the per-cycle limit | {by['applied']} / {by['rejected']} / {by['limit']} |"
    )
    print(
        f"| all audited decisions (incl. meta levels): applied / rejected / limit / rolled back | {counts['applied']} / {counts['rejected']} / {counts['limit']} / {counts['rolled_back']} |"
    )
    print(f"| steps run with a violating setting in force | {violating_applied} |")
    n_checks = sum(e.verdict in ("applied", "rejected") for e in guard.audit)
    print(
        f"| pre-check time per decision (3 monitors over a 100-row window) | {1e3 * guard.check_seconds / max(n_checks, 1):.3f} ms |"
    )
    print(f"| pre-check share of the run's wall time | {100 * guard.check_seconds / total:.1f}% |")


# ------------------------------------------------------------------ cycle time
def bench_cycle(steps):
    loop = sl.StrangeLoop(sl.EpsilonGreedyBandit(K, alpha=0.1, seed=0), max_depth=3, seed=0)
    env = NonstationaryBandit(K, steps=10**9)
    env.reset(seed=0)
    plain, cycle, analysis = [], [], []
    for _ in range(steps):
        a = loop.act(0)
        _, r, *_ = env.step(a)
        before = loop.cycles
        t0 = time.perf_counter_ns()
        loop.observe(0, a, r, 0, False, False)
        dt = time.perf_counter_ns() - t0
        if loop.cycles == before:
            plain.append(dt)
        elif loop.cycles % loop.analysis_every == 0:
            analysis.append(dt)
        else:
            cycle.append(dt)
    base = statistics.median(plain)
    print("\n### Meta-update cycle time, depth 3 (ε-greedy base, block 100, fanout 4)\n")
    print("| quantity | median | p90 | count |\n| --- | --- | --- | --- |")
    print(
        f"| observe() without a cycle | {base / 1e3:.1f} µs | {np.percentile(plain, 90) / 1e3:.1f} µs | {len(plain)} |"
    )
    print(
        f"| observe() with a meta cycle (levels 1-3 update and decide) | {statistics.median(cycle) / 1e3:.1f} µs | {np.percentile(cycle, 90) / 1e3:.1f} µs | {len(cycle)} |"
    )
    if analysis:
        print(
            f"| observe() with a cycle + analysis (every 50 cycles: classify, patterns, DTW) | {statistics.median(analysis) / 1e6:.1f} ms | {np.percentile(analysis, 90) / 1e6:.1f} ms | {len(analysis)} |"
        )


def bench_replay():
    print("\n### Replay buffer sampling (capacity 100k, observation shape (4,), batch 256)\n")
    print("| mode | samples/s |\n| --- | --- |")
    for prioritized in (False, True):
        buf = sl.ReplayBuffer(100_000, observation_shape=(4,), prioritized=prioritized, seed=0)
        n = 100_000
        rng = np.random.default_rng(0)
        buf.add_batch(
            rng.standard_normal((n, 4)),
            rng.integers(4, size=n),
            rng.standard_normal(n),
            rng.standard_normal((n, 4)),
            rng.random(n) < 0.01,
        )
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            for _ in range(50):
                batch = buf.sample(256)
                if prioritized:
                    buf.update_priorities(batch["indices"], np.abs(rng.standard_normal(256)) + 1e-3)
            times.append(time.perf_counter() - t0)
        rate = 50 * 256 / statistics.median(times)
        print(
            f"| {'prioritised (+ priority update)' if prioritized else 'uniform'} | {rate / 1e6:.2f} M |"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument(
        "what", nargs="*", default=["testbed", "frozenlake", "cliff", "safety", "cycle", "replay"]
    )
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--ref-runs", type=int, default=400)
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--jobs", type=int, default=2, help="processes for testbed-paired")
    p.add_argument("--quick", action="store_true", help="tiny sizes, to check the script runs")
    p.add_argument(
        "--seed-offset",
        type=int,
        default=0,
        help="first seed (development runs use 1000; reported runs use 0)",
    )
    a = p.parse_args()
    global SEED0
    SEED0 = a.seed_offset
    if a.quick:
        a.runs, a.ref_runs, a.steps, a.seeds = 3, 10, 1000, 2
    print(f"load average at start: {os.getloadavg()}")
    for w in a.what:
        if w == "testbed":
            bench_testbed(a.runs, a.steps, a.ref_runs)
        elif w == "testbed-paired":
            bench_testbed_paired(a.runs, a.steps, a.ref_runs, a.jobs)
        elif w == "testbed-reference":
            bench_testbed(a.runs, a.steps, a.ref_runs, ours=False)
        elif w == "frozenlake":
            bench_frozenlake(a.seeds, [1000] if a.quick else [1000, 3000])
        elif w == "frozenlake-optimistic":
            # the optimistic-start rows (returns of FrozenLake lie in [0, 1]) at 1,000 episodes
            bench_frozenlake(a.seeds, [1000], optimistic_budgets=(1000,))
        elif w == "frozenlake-population":
            # the step-size population rows at 1,000 and 3,000 episodes
            bench_frozenlake(a.seeds, [1000] if a.quick else [1000, 3000], population=True)
        elif w == "frozenlake-alpha-grid":
            bench_frozenlake_alpha_grid(a.seeds)
        elif w == "cliff":
            bench_cliff(a.seeds)
        elif w == "cliff-population":
            bench_cliff(a.seeds, population=True)
        elif w == "safety":
            bench_safety(50 if a.quick else 1000)
        elif w == "cycle":
            bench_cycle(20_000 if a.quick else 200_000)
        elif w == "replay":
            bench_replay()
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
