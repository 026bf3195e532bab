"""StrangeLoop: a level-0 learner under a bounded tower of meta levels.

Level 1 tunes the base learner's hyperparameters, level ``k`` tunes level ``k-1``'s
adaptation rate (``step``) and exploration (``explore``) - see
:mod:`strange_loop.meta_level` for the method and its citation. Time is counted in
base *units* (steps or episodes). Level 1 decides every ``block`` units; level ``k``
every ``fanout`` decisions of level ``k-1``. Each level-1 decision is a *meta cycle*:

1. the cycle's signals are recorded as one row (hyperparameters of every level,
   ``reward_avg`` of the block, ``reward_avg_100`` over the last 100 units,
   ``td_abs`` = mean absolute TD error of the block); with a
   :class:`~strange_loop.safety.SafetyGuard`, its runtime monitors read the row and
   may roll back a recent modification;
2. due levels credit their block's mean base reward to the setting in force and
   choose the next setting of the level below, top level first;
3. every ``analysis_every`` cycles: dynamics classification of the reward curve
   (temporal-attractor-studio), recurring setting sequences (temporal-compare
   ``find_patterns``) and regime recall by DTW (temporal-compare ``dtw``) update the
   knowledge graph; with ``self_modification=True`` they also propose modifications
   (damping, reuse of a recalled regime's setting), and learned rules fire.

Every change of any level's settings is a :class:`~strange_loop.safety.Modification`;
with a guard it takes effect only if the guard allows it. Self-modification beyond
bounded hyperparameter adaptation (dynamics- and regime-driven proposals, rules,
policy swaps) is off by default.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._records import record_dict
from ._validation import as_int, as_rate, as_seed_rng
from .bandits import EpsilonGreedyBandit
from .dynamics import MIN_POINTS, Dynamics, DynamicsReport, classify_learning
from .errors import InvalidParameterError, StateFileError, StrangeLoopError
from .knowledge import KnowledgeGraph
from .learner import Learner, ParamRange
from .meta_level import MetaLevel, setting_key
from .paired import PairedExploration
from .population import StepSizePopulation
from .regimes import RegimeMemory, behaviour_patterns
from .rules import Rule
from .safety import AuditEntry, Modification, SafetyGuard
from .scheduling import CycleScheduler
from .tabular import TabularQLearning

__all__ = ["MetaKnowledge", "StrangeLoop"]

_NOT_TUNED = frozenset({"gamma", "lam", "baseline_alpha"})


def _around(spec: ParamRange, start: float, span: float) -> ParamRange:
    """``spec`` narrowed to ``[start / span, start * span]`` (unchanged for a start of 0)."""
    if start <= 0.0:
        return spec
    return ParamRange(max(spec.low, start / span), min(spec.high, start * span), spec.log)


_DAMP = 0.5


@dataclass(frozen=True)
class MetaKnowledge:
    """What one level knows (returned by :meth:`StrangeLoop.knowledge`)."""

    level: int
    hyperparameters: dict[str, float]
    center: dict[str, float]
    best_setting: dict[str, float] | None
    best_value: float | None
    settings_tried: int
    decisions: int
    dynamics: dict[str, Any] | None
    patterns: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return record_dict(self)


class StrangeLoop:
    """A self-tuning learner: ``base`` plus up to ``max_depth`` meta levels.

    Parameters
    ----------
    base : Learner
        Any level-0 learner of this package.
    max_depth : int
        Number of meta levels (0 runs ``base`` unchanged).
    tune : list of str, optional
        Base hyperparameters level 1 adapts (default: all but ``gamma``, ``lam``,
        ``baseline_alpha``, and ``epsilon`` when ``exploration="paired"``).
    exploration : {"bandit", "paired"}
        How ε is adapted. ``"bandit"``: like every other tuned hyperparameter, by
        level 1's bandit over settings. ``"paired"`` (an :class:`EpsilonGreedyBandit`
        base with ``unit="step"`` only): by :class:`~strange_loop.PairedExploration`,
        a paired test of the long-run value of the upper half of the exploration,
        decided once per ``block``; the loop then chooses the behaviour's actions
        itself (exploration from its own random stream, greedy arms interleaved with
        the test's shadow). It runs at any ``max_depth``, 0 included. With ``tune=[]``
        no meta levels are built, no analysis runs, and only ε adapts.
    step_size : {"bandit", "population"}
        How α is adapted. ``"bandit"``: by level 1's bandit, like the other tuned
        hyperparameters. ``"population"`` (a :class:`TabularQLearning` base with
        ``unit="episode"`` only): by :class:`~strange_loop.StepSizePopulation`, shadows
        at ``α / factor`` and ``α · factor`` learning from the same transitions, whose
        greedy policies are compared once per ``block`` on the empirical model; a
        better shadow is proposed as a swap of the base. Runs at any ``max_depth``;
        with ``tune=[]`` only α adapts.
    unit : {"step", "episode"}
        What one base unit is; an episode's reward is its return.
    block : int, optional
        Base units per level-1 decision (default 100 steps or 20 episodes).
    fanout : int
        Decisions of level ``k-1`` per decision of level ``k``.
    factor : float
        Grid spacing of every level (multiplicative).
    span : float
        Each level searches within ``[start / span, start * span]`` of its starting
        settings (intersected with the valid range).
    step, explore : float
        Initial adaptation rate and exploration of every level.
    guard : SafetyGuard, optional
        Checks every modification; without one, changes apply directly.
    self_modification : bool
        Let analysis propose modifications and rules fire (off by default).
    analysis_every : int
        Cycles between analyses (0 turns analysis off).
    scheduler : CycleScheduler, optional
        Run meta cycles under a deadline (deferred cycles are counted).
    seed : int, optional
        Seed of the meta levels' random stream (the base has its own).

    Examples
    --------
    >>> from strange_loop import EpsilonGreedyBandit, StrangeLoop, train
    >>> from strange_loop.envs import NonstationaryBandit
    >>> loop = StrangeLoop(EpsilonGreedyBandit(10, alpha=0.1, seed=0), max_depth=2, seed=0)
    >>> log = train(loop, NonstationaryBandit(10, steps=2_000), episodes=1, seed=0)
    >>> loop.knowledge(1).decisions, loop.knowledge(2).decisions
    (20, 5)
    """

    def __init__(
        self,
        base: Learner,
        max_depth: int = 3,
        *,
        tune: list[str] | None = None,
        unit: str = "step",
        block: int | None = None,
        fanout: int = 4,
        factor: float = 2.0,
        span: float = 4.0,
        step: float = 0.1,
        explore: float = 0.1,
        exploration: str = "bandit",
        step_size: str = "bandit",
        guard: SafetyGuard | None = None,
        self_modification: bool = False,
        analysis_every: int = 50,
        regime_length: int = 16,
        scheduler: CycleScheduler | None = None,
        seed: int | None = None,
    ) -> None:
        if not isinstance(base, Learner):
            raise InvalidParameterError(f"base: expected a strange_loop Learner, got {base!r}")
        self.base = base
        self.max_depth = as_int(max_depth, "max_depth", minimum=0)
        if unit not in ("step", "episode"):
            raise InvalidParameterError(f"unit: expected 'step' or 'episode', got {unit!r}")
        self.unit = unit
        self.block = as_int(
            100 if unit == "step" and block is None else block or 20, "block", minimum=1
        )
        self.fanout = as_int(fanout, "fanout", minimum=1)
        self.factor = as_rate(factor, "factor")
        self.span = as_rate(span, "span")
        if self.span < 1.0:
            raise InvalidParameterError(f"span: must be >= 1, got {self.span}")
        params = base.hyperparameters
        if exploration not in ("bandit", "paired"):
            raise InvalidParameterError(
                f"exploration: expected 'bandit' or 'paired', got {exploration!r}"
            )
        self.exploration = exploration
        self._paired: PairedExploration | None = None
        not_tuned = _NOT_TUNED
        if exploration == "paired":
            if not isinstance(base, EpsilonGreedyBandit) or unit != "step":
                raise InvalidParameterError(
                    "exploration: 'paired' needs an EpsilonGreedyBandit base and unit='step', "
                    f"got {type(base).__name__} with unit={unit!r}"
                )
            eps = params["epsilon"]
            if eps <= 0.0:
                raise InvalidParameterError(
                    "exploration: 'paired' needs the base's epsilon > 0 to start from"
                )
            if tune is not None and "epsilon" in tune:
                raise InvalidParameterError(
                    "tune: with exploration='paired', epsilon is adapted by the paired test; "
                    "leave it out of tune"
                )
            spec = _around(type(base).PARAMS["epsilon"], eps, self.span)
            self._paired = PairedExploration(
                base.q,
                eps,
                low=spec.low,
                high=spec.high,
                counts=base.counts if base.sample_average else None,
            )
            not_tuned = _NOT_TUNED | {"epsilon"}
        self.step_size = step_size
        self._population = self._make_population(step_size, tune)
        if self._population is not None:
            not_tuned = not_tuned | {"alpha"}
        names = [n for n in params if n not in not_tuned] if tune is None else list(tune)
        for n in names:
            if n not in params:
                raise InvalidParameterError(
                    f"tune: {n!r} is not a hyperparameter of {type(base).__name__}; "
                    f"expected some of {sorted(params)}"
                )
        self.tune = names
        if self.max_depth and not names and self._paired is None and self._population is None:
            raise InvalidParameterError("tune: no hyperparameters to adapt")
        self.levels: list[MetaLevel] = []
        for k in range(1, (self.max_depth if names else 0) + 1):
            if k == 1:
                specs = {n: type(base).PARAMS[n] for n in names}
                center = {n: params[n] for n in names}
            else:
                specs = dict(MetaLevel.PARAMS)
                center = self.levels[-1].hyperparameters
            ranges = {n: _around(spec, center[n], self.span) for n, spec in specs.items()}
            self.levels.append(
                MetaLevel(
                    k,
                    ranges,
                    center,
                    block=self.block * self.fanout ** (k - 1),
                    step=step,
                    explore=explore,
                    factor=self.factor,
                )
            )
        self.guard = guard
        self.self_modification = bool(self_modification)
        self.analysis_every = as_int(analysis_every, "analysis_every", minimum=0)
        self.scheduler = scheduler
        self.rng = as_seed_rng(seed)
        self.rules: list[Rule] = []
        self.graph = KnowledgeGraph()
        for lvl in self.levels:
            self.graph.add_node("level", str(lvl.level), block=lvl.block)
        self.regimes = RegimeMemory(length=as_int(regime_length, "regime_length", minimum=2))
        self.rows: deque[dict[str, Any]] = deque(maxlen=256)
        self.curve: deque[float] = deque(maxlen=512)  # block rewards, one per cycle
        self.recent: deque[float] = deque(maxlen=100)  # unit rewards
        self.dynamics: DynamicsReport | None = None
        self.patterns: list[dict[str, Any]] = []
        self.units = 0
        self.cycles = 0
        self.applied_without_guard = 0
        self._episode_return = 0.0
        self._block_sum = 0.0
        self._block_n = 0
        self._td_sum = 0.0
        self._td_n = 0
        self._next_cycle = self.block
        self._best_policy: str | None = None
        self._episode_started = False

    def _make_population(self, step_size: str, tune: list[str] | None) -> StepSizePopulation | None:
        if step_size not in ("bandit", "population"):
            raise InvalidParameterError(
                f"step_size: expected 'bandit' or 'population', got {step_size!r}"
            )
        if step_size == "bandit":
            return None
        base = self.base
        if not isinstance(base, TabularQLearning) or self.unit != "episode":
            raise InvalidParameterError(
                "step_size: 'population' needs a TabularQLearning base and unit='episode', "
                f"got {type(base).__name__} with unit={self.unit!r}"
            )
        if tune is not None and "alpha" in tune:
            raise InvalidParameterError(
                "tune: with step_size='population', alpha is chosen by the population; "
                "leave it out of tune"
            )
        alpha = base.hyperparameters["alpha"]
        spec = _around(type(base).PARAMS["alpha"], alpha, self.span)
        return StepSizePopulation(base.q, alpha, low=spec.low, high=spec.high, factor=self.factor)

    # ---------------------------------------------------------------- agent API
    def act(self, observation: Any) -> Any:
        if self._paired is not None:
            base = self.base
            assert isinstance(base, EpsilonGreedyBandit)
            return self._paired.act(base.q, base.hyperparameters["epsilon"], self.rng)
        return self.base.act(observation)  # type: ignore[attr-defined]

    def greedy_action(self, observation: Any) -> Any:
        return self.base.greedy_action(observation)  # type: ignore[attr-defined]

    def observe(
        self,
        observation: Any,
        action: Any,
        reward: float,
        next_observation: Any,
        terminated: bool,
        truncated: bool,
    ) -> None:
        if self._paired is not None and not self._paired.pending:
            raise StrangeLoopError(
                "observe: with exploration='paired' every observe() follows an act() "
                "(the loop chose the action)"
            )
        self.base.observe(observation, action, reward, next_observation, terminated, truncated)  # type: ignore[attr-defined]
        if self._population is not None:
            self._population_observe(observation, action, reward, next_observation, terminated)
        if self._paired is not None:
            self._paired.observe(action, reward, self.base.hyperparameters.get("alpha"))
        self._td_sum += abs(self.base.last_td_error)
        self._td_n += 1
        if self.unit == "step":
            self._unit_done(float(reward))
        else:
            self._episode_return += float(reward)

    def _population_observe(
        self, observation: Any, action: Any, reward: float, next_observation: Any, terminated: bool
    ) -> None:
        base = self.base
        assert isinstance(base, TabularQLearning) and self._population is not None
        s = base.state_index(observation)
        if not self._episode_started:
            self._population.start(s)
            self._episode_started = True
        self._population.observe(
            s,
            base.action_index(action),
            float(reward),
            base.state_index(next_observation, "next_observation"),
            bool(terminated),
            base.hyperparameters["gamma"],
        )

    def end_episode(self) -> None:
        self.base.end_episode()  # type: ignore[attr-defined]
        self._episode_started = False
        if self.unit == "episode":
            r, self._episode_return = self._episode_return, 0.0
            self._unit_done(r)

    # ---------------------------------------------------------------- the loop
    def _unit_done(self, reward: float) -> None:
        self.units += 1
        self.recent.append(reward)
        self._block_sum += reward
        self._block_n += 1
        for lvl in self.levels[1:]:
            lvl.reward_sum += reward
            lvl.reward_n += 1
        adapting = self.levels or self._paired is not None or self._population is not None
        if adapting and self.units >= self._next_cycle:
            # a deferred cycle (scheduler) leaves the block's statistics pending; the
            # next cycle that runs credits them together with the next block
            if self.scheduler is not None:
                self.scheduler.run_cycle(self._cycle)
            else:
                self._cycle()
            self._next_cycle = self.units + self.block

    def _signals(self) -> dict[str, Any]:
        row: dict[str, Any] = dict(self.base.hyperparameters)
        for lvl in self.levels:
            for k, v in lvl.hyperparameters.items():
                row[f"level{lvl.level}_{k}"] = v
        row["reward_avg"] = self._block_sum / self._block_n if self._block_n else 0.0
        row["reward_avg_100"] = float(np.mean(self.recent)) if self.recent else 0.0
        row["td_abs"] = self._td_sum / self._td_n if self._td_n else 0.0
        return row

    def _cycle(self) -> None:
        self.cycles += 1
        row = self._signals()
        reward = row["reward_avg"]
        self.curve.append(reward)
        if self.guard is not None:
            self.guard.begin_cycle()
            self.guard.record(row, self._apply)
            self.rows.append(dict(self.guard.rows[-1]))
        else:
            self.rows.append(row)
        self._block_sum, self._block_n, self._td_sum, self._td_n = 0.0, 0, 0.0, 0
        if self._paired is not None:
            eps = self.base.hyperparameters["epsilon"]
            new_eps = self._paired.decide(eps)
            if new_eps is not None:
                self._propose_set("base", {"epsilon": eps}, {"epsilon": new_eps}, "paired", None)
        if self._population is not None:
            self._population_cycle()
        if not self.levels:
            return
        level1 = self.levels[0]
        level1.update(reward)
        self._note_policy(level1)
        # higher levels first, so a new rate of level k-1 applies to its next decision
        for lvl in reversed(self.levels[1:]):
            below = self.levels[lvl.level - 2]
            # level k decides every fanout**(k-1) cycles, i.e. every `block` of its units
            if self.cycles % self.fanout ** (lvl.level - 1) == 0:
                lvl.update(lvl.reward_sum / max(lvl.reward_n, 1))
                lvl.reward_sum, lvl.reward_n = 0.0, 0
                current = below.hyperparameters
                new = lvl.choose(self.rng, current)
                self._propose_set(
                    f"level{below.level}", current, new, f"level{lvl.level}", lvl.estimate(new)
                )
                lvl.active = setting_key(below.hyperparameters)
        current = {n: self.base.hyperparameters[n] for n in self.tune}
        new = level1.choose(self.rng, current)
        self._propose_set("base", current, new, "level1", level1.estimate(new))
        level1.active = setting_key({n: self.base.hyperparameters[n] for n in self.tune})
        if self.analysis_every and self.cycles % self.analysis_every == 0:
            self._analyse()
        if self.self_modification and self.rules:
            history = list(self.rows)
            for rule in list(self.rules):
                if rule.fires(history):
                    self._propose(
                        Modification("set", rule.target, dict(rule.changes), f"rule:{rule.name}")
                    )

    def _population_cycle(self) -> None:
        base = self.base
        assert isinstance(base, TabularQLearning) and self._population is not None
        found = self._population.candidate(base.q, base.hyperparameters["gamma"])
        if found is not None:
            alpha, values, gain = found
            old_alpha = base.hyperparameters["alpha"]
            # the incoming learner continues the base's random stream and episode state
            incoming = TabularQLearning.from_state(base.to_state())
            assert isinstance(incoming, TabularQLearning)
            incoming.q = values
            incoming.set_hyperparameter("alpha", alpha)
            self._propose(
                Modification(
                    "swap",
                    "base",
                    {},
                    "population",
                    f"shadow alpha={alpha:g} greedy policy worth {gain:+.4g} more than "
                    f"alpha={old_alpha:g} on the empirical model",
                    payload=incoming,
                )
            )
            if self.base is incoming:
                before = self.graph.add_node("policy", f"alpha={old_alpha:g}")
                after = self.graph.add_node("policy", f"alpha={alpha:g}", value=gain)
                self.graph.add_edge(before, after, "improved-by")
        current = self.base
        assert isinstance(current, TabularQLearning)
        self._population.follow(current.q, current.hyperparameters["alpha"])

    def _note_policy(self, level1: MetaLevel) -> None:
        key = level1.active
        s = level1.stats[key]
        node = self.graph.add_node("policy", key, value=s[0], count=int(s[2]))
        self.graph.add_edge(node, "level:1", "derived-from")
        best = level1.best()
        if best is not None and best[0] != self._best_policy:
            new = f"policy:{best[0]}"
            if self._best_policy is not None:
                self.graph.add_edge(f"policy:{self._best_policy}", new, "improved-by")
            self._best_policy = best[0]

    def _propose_set(
        self,
        target: str,
        current: Mapping[str, float],
        new: Mapping[str, float],
        source: str,
        predicted: float | None,
    ) -> None:
        changes = {k: v for k, v in new.items() if current.get(k) != v}
        if not changes:
            return
        mod = Modification("set", target, changes, source)
        self._propose(mod, None if predicted is None else {"reward_avg": predicted})

    def _propose(
        self, mod: Modification, predicted: Mapping[str, float] | None = None
    ) -> AuditEntry | None:
        if self.guard is None:
            self._apply(mod)
            self.applied_without_guard += 1
            return None
        if mod.kind == "swap" and isinstance(mod.payload, Learner):
            # the shadow row carries the incoming learner's hyperparameters
            predicted = {**mod.payload.hyperparameters, **(predicted or {})}
        return self.guard.propose(mod, self._apply, predicted)

    def _target(self, name: str) -> Learner | MetaLevel:
        if name == "base":
            return self.base
        if (
            name.startswith("level")
            and name[5:].isdigit()
            and 1 <= int(name[5:]) <= len(self.levels)
        ):
            return self.levels[int(name[5:]) - 1]
        raise InvalidParameterError(
            f"target: expected 'base' or 'level1'..'level{len(self.levels)}', got {name!r}"
        )

    def _apply(self, mod: Modification) -> Modification:
        """Perform ``mod``; return its inverse (used for rollback)."""
        if mod.kind == "set":
            target = self._target(mod.target)
            old = target.hyperparameters
            for k in mod.changes:
                if k not in old:
                    raise InvalidParameterError(
                        f"changes: {k!r} is not a hyperparameter of {mod.target}"
                    )
            for k, v in mod.changes.items():  # all checked first: nothing half-applied
                type(target).PARAMS[k].check(k, v)
            inverse = {k: old[k] for k in mod.changes}
            for k, v in mod.changes.items():
                target.set_hyperparameter(k, v)
            return Modification("set", mod.target, inverse, "rollback", f"undo {mod.source}")
        if mod.kind == "swap":
            new = mod.payload
            if not isinstance(new, Learner) or set(new.hyperparameters) < set(self.tune):
                raise InvalidParameterError(
                    "payload: a swap needs a Learner with the tuned hyperparameters "
                    f"{sorted(self.tune)}"
                )
            old_base, self.base = self.base, new
            return Modification("swap", "base", {}, "rollback", "undo swap", payload=old_base)
        # rule: payload is a Rule to add, or ("remove", name)
        if isinstance(mod.payload, Rule):
            self.rules.append(mod.payload)
            node = self.graph.add_node("rule", mod.payload.name, **mod.payload.to_dict())
            self.graph.add_edge(node, "level:1", "applies-to")
            return Modification(
                "rule", "base", {}, "rollback", "undo rule", ("remove", mod.payload.name)
            )
        if isinstance(mod.payload, tuple) and mod.payload[0] == "remove":
            removed = [r for r in self.rules if r.name == mod.payload[1]]
            self.rules = [r for r in self.rules if r.name != mod.payload[1]]
            return Modification(
                "rule", "base", {}, "rollback", "redo rule", removed[0] if removed else None
            )
        raise InvalidParameterError(
            f"payload: a rule modification needs a Rule, got {mod.payload!r}"
        )

    def propose(self, modification: Modification) -> AuditEntry | None:
        """Propose a modification by hand (needs ``self_modification=True``).

        Returns the guard's audit entry, or None when there is no guard (then the
        change is applied directly).
        """
        if not self.self_modification:
            raise StrangeLoopError("propose: self-modification is off; pass self_modification=True")
        if not isinstance(modification, Modification):
            raise InvalidParameterError(
                f"modification: expected a Modification, got {modification!r}"
            )
        return self._propose(modification)

    # ---------------------------------------------------------------- analysis
    def _analyse(self) -> None:
        level1 = self.levels[0]
        # recurring sequences in level 1's own adaptation trace
        keys = [k for k, _ in level1.history]
        codes = {k: i for i, k in enumerate(dict.fromkeys(keys))}
        self.patterns = []
        for p in behaviour_patterns([codes[k] for k in keys][-512:], top=3):
            inv = list(codes)
            tokens = [inv[c] for c in p.tokens]
            d = {"tokens": tokens, "count": p.count, "confidence": p.confidence}
            self.patterns.append(d)
            node = self.graph.add_node(
                "pattern", " > ".join(tokens), count=p.count, confidence=p.confidence
            )
            self.graph.add_edge(node, "level:1", "derived-from")
        # regimes: recall before storing the present one
        n = self.regimes.length
        if len(self.curve) >= n:
            recent = np.array(list(self.curve)[-n:])
            recall = self.regimes.recall(recent, min_confidence=0.6)
            best = level1.best()
            if recall is not None and self.self_modification:
                current = {k: self.base.hyperparameters[k] for k in self.tune}
                if setting_key(recall.setting) != setting_key(current):
                    self._propose(
                        Modification(
                            "set",
                            "base",
                            recall.setting,
                            "regime",
                            f"regime {recall.index} matched (confidence {recall.confidence:.2f})",
                        ),
                        {"reward_avg": recall.value},
                    )
            if best is not None:
                self.regimes.store(recent, level1.settings.get(best[0], {}), best[1])
                node = self.graph.add_node(
                    "regime", str(len(self.regimes.curves) - 1 + 0), value=best[1]
                )
                self.graph.add_edge(node, f"policy:{best[0]}", "applies-to")
        # dynamics of the reward curve
        if len(self.curve) >= MIN_POINTS:
            self.dynamics = classify_learning(np.array(self.curve))
            if self.self_modification:
                self._react(self.dynamics)

    def _react(self, report: DynamicsReport) -> None:
        if report.dynamics in (Dynamics.OSCILLATING, Dynamics.CHAOTIC):
            for name in ("alpha", "c"):
                if name in self.base.hyperparameters:
                    spec = type(self.base).PARAMS[name]
                    value = spec.clip(self.base.hyperparameters[name] * _DAMP)
                    self._propose(
                        Modification(
                            "set",
                            "base",
                            {name: value},
                            "dynamics",
                            f"{report.dynamics.value}: damp {name}",
                        )
                    )
                    break
        elif report.dynamics is Dynamics.NOISE and len(self.levels) >= 1:
            lvl = self.levels[0]
            value = MetaLevel.PARAMS["step"].clip(lvl.hyperparameters["step"] * _DAMP)
            if value != lvl.hyperparameters["step"]:
                self._propose(
                    Modification(
                        "set", "level1", {"step": value}, "dynamics", "noise: average longer"
                    )
                )

    # ---------------------------------------------------------------- queries
    def knowledge(self, level: int) -> MetaKnowledge:
        """What level ``level`` (1..max_depth) knows."""
        if (
            isinstance(level, bool)
            or not isinstance(level, int)
            or not 1 <= level <= len(self.levels)
        ):
            raise InvalidParameterError(f"level: expected 1..{len(self.levels)}, got {level!r}")
        lvl = self.levels[level - 1]
        best = lvl.best()
        return MetaKnowledge(
            level=level,
            hyperparameters=lvl.hyperparameters,
            center=dict(lvl.center),
            best_setting=None if best is None else dict(lvl.settings.get(best[0], {})),
            best_value=None if best is None else best[1],
            settings_tried=len(lvl.stats),
            decisions=lvl.decisions,
            dynamics=self.dynamics.to_dict() if (level == 1 and self.dynamics) else None,
            patterns=list(self.patterns) if level == 1 else [],
        )

    def summary(self) -> dict[str, Any]:
        """A JSON-able overview of the whole hierarchy."""
        out: dict[str, Any] = {
            "base": type(self.base).__name__,
            "base_hyperparameters": self.base.hyperparameters,
            "max_depth": self.max_depth,
            "units": self.units,
            "cycles": self.cycles,
            "levels": [self.knowledge(k).to_dict() for k in range(1, len(self.levels) + 1)],
            "rules": [r.to_dict() for r in self.rules],
            "knowledge_graph": {"nodes": len(self.graph), "edges": len(self.graph.edges())},
        }
        if self._paired is not None:
            net, se = self._paired.evidence()
            out["paired_exploration"] = {
                "decisions": self._paired.decisions,
                "moves": self._paired.moves,
                "net_per_step": net,
                "standard_error": se if math.isfinite(se) else None,
            }
        if self._population is not None:
            out["step_size_population"] = {
                "decisions": self._population.decisions,
                "moves": self._population.moves,
                "alpha": self.base.hyperparameters["alpha"],
            }
        if self.guard is not None:
            out["audit"] = self.guard.counts()
        else:
            out["applied_without_guard"] = self.applied_without_guard
        if self.scheduler is not None:
            out["scheduler"] = self.scheduler.stats()
        return out

    # ---------------------------------------------------------------- state
    def to_state(self, encode_payload: Callable[[Any], Any]) -> dict[str, Any]:
        """Everything needed to continue exactly (see :mod:`strange_loop.persistence`)."""
        return {
            "type": "StrangeLoop",
            "base": self.base.to_state(),
            "config": {
                "max_depth": self.max_depth,
                "tune": self.tune,
                "unit": self.unit,
                "block": self.block,
                "fanout": self.fanout,
                "factor": self.factor,
                "span": self.span,
                "exploration": self.exploration,
                "step_size": self.step_size,
                "self_modification": self.self_modification,
                "analysis_every": self.analysis_every,
                "regime_length": self.regimes.length,
            },
            "levels": [lvl.to_state() for lvl in self.levels],
            "paired": None if self._paired is None else self._paired.to_state(),
            "population": None if self._population is None else self._population.to_state(),
            "guard": None if self.guard is None else self.guard.to_state(encode_payload),
            "rng": self.rng.bit_generator.state,
            "rules": [r.to_dict() for r in self.rules],
            "graph": self.graph.to_state(),
            "regimes": self.regimes.to_state(),
            "rows": list(self.rows),
            "curve": np.array(self.curve, dtype=np.float64),
            "recent": np.array(self.recent, dtype=np.float64),
            "dynamics": None if self.dynamics is None else self.dynamics.to_dict(),
            "patterns": self.patterns,
            "counters": {
                "units": self.units,
                "cycles": self.cycles,
                "applied_without_guard": self.applied_without_guard,
                "episode_return": self._episode_return,
                "block_sum": self._block_sum,
                "block_n": self._block_n,
                "td_sum": self._td_sum,
                "td_n": self._td_n,
                "next_cycle": self._next_cycle,
                "best_policy": self._best_policy,
                "episode_started": self._episode_started,
            },
        }

    @classmethod
    def from_state(
        cls,
        state: Mapping[str, Any],
        decode_learner: Callable[[Any], Learner],
        decode_payload: Callable[[Any], Any],
    ) -> StrangeLoop:
        """Rebuild a loop saved by :meth:`to_state`. A scheduler is not saved."""
        cfg = state["config"]
        guard = (
            None
            if state["guard"] is None
            else SafetyGuard.from_state(state["guard"], decode_payload)
        )
        loop = cls(
            decode_learner(state["base"]),
            cfg["max_depth"],
            tune=list(cfg["tune"]),
            unit=cfg["unit"],
            block=cfg["block"],
            fanout=cfg["fanout"],
            factor=cfg["factor"],
            span=cfg["span"],
            exploration=cfg.get("exploration", "bandit"),
            step_size=cfg.get("step_size", "bandit"),
            guard=guard,
            self_modification=cfg["self_modification"],
            analysis_every=cfg["analysis_every"],
            regime_length=cfg["regime_length"],
        )
        if len(state["levels"]) != len(loop.levels):
            raise StateFileError("state: number of levels does not match max_depth")
        loop.levels = [MetaLevel.from_state(s) for s in state["levels"]]
        paired = state.get("paired")
        if (paired is None) != (loop._paired is None):
            raise StateFileError("state: paired exploration state does not match the config")
        if paired is not None:
            loop._paired = PairedExploration.from_state(paired)
        population = state.get("population")
        if (population is None) != (loop._population is None):
            raise StateFileError("state: step-size population state does not match the config")
        if population is not None:
            loop._population = StepSizePopulation.from_state(population)
        loop.rng.bit_generator.state = state["rng"]
        loop.rules = [Rule.from_dict(r) for r in state["rules"]]
        loop.graph = KnowledgeGraph.from_state(state["graph"])
        loop.regimes = RegimeMemory.from_state(state["regimes"])
        loop.rows.extend(dict(r) for r in state["rows"])
        loop.curve.extend(float(x) for x in np.asarray(state["curve"]))
        loop.recent.extend(float(x) for x in np.asarray(state["recent"]))
        d = state["dynamics"]
        loop.dynamics = (
            None
            if d is None
            else DynamicsReport(
                Dynamics(d["dynamics"]), float(d["confidence"]), d["attractor_type"], d["period"]
            )
        )
        loop.patterns = [dict(p) for p in state["patterns"]]
        c = state["counters"]
        loop.units = int(c["units"])
        loop.cycles = int(c["cycles"])
        loop.applied_without_guard = int(c["applied_without_guard"])
        loop._episode_return = float(c["episode_return"])
        loop._block_sum = float(c["block_sum"])
        loop._block_n = int(c["block_n"])
        loop._td_sum = float(c["td_sum"])
        loop._td_n = int(c["td_n"])
        loop._next_cycle = int(c["next_cycle"])
        loop._best_policy = c["best_policy"]
        loop._episode_started = bool(c.get("episode_started", False))
        return loop
