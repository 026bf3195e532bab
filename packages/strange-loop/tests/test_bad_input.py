import numpy as np
import pytest

import strange_loop as sl


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: sl.TabularQLearning(4, 2, alpha=-0.1), "alpha"),
        (lambda: sl.TabularQLearning(4, 2, epsilon=1.5), "epsilon"),
        (lambda: sl.TabularQLearning(4, 2, gamma=float("nan")), "gamma"),
        (lambda: sl.TabularQLearning(0, 2), "observation_space"),
        (lambda: sl.SarsaLambda(4, 2, lam=2.0), "lam"),
        (lambda: sl.SarsaLambda(4, 2, traces="dutch"), "traces"),
        (lambda: sl.EpsilonGreedyBandit(0), "n_arms"),
        (lambda: sl.EpsilonGreedyBandit(3, epsilon=-0.01), "epsilon"),
        (lambda: sl.UCB(3, c=-1.0), "c"),
        (lambda: sl.ThompsonSampling(3, model="poisson"), "model"),
        (lambda: sl.GradientBandit(3, alpha=0.0), "alpha"),
        (lambda: sl.TileCoder(n_tilings=0, low=[0], high=[1]), "n_tilings"),
        (lambda: sl.TileCoder(low=[0], high=[np.inf]), "finite"),
        (lambda: sl.StrangeLoop(sl.UCB(3), max_depth=-1), "max_depth"),
        (lambda: sl.StrangeLoop(sl.UCB(3), tune=["gamma"]), "gamma"),
        (lambda: sl.StrangeLoop(sl.UCB(3), unit="hour"), "unit"),
        (lambda: sl.StrangeLoop(object()), "base"),
        (lambda: sl.SafetyGuard(["G p"], monitor_rows=10, window=5), "monitor_rows"),
        (lambda: sl.ThresholdTuner([]), "candidates"),
        (lambda: sl.ThresholdTuner([0.1, 0.1]), "candidates"),
        (lambda: sl.Modification("delete"), "kind"),
        (lambda: sl.Rule("r", "td_abs >", {}), "rule"),
    ],
)
def test_bad_arguments_name_the_problem(make, match):
    with pytest.raises(sl.StrangeLoopError, match=match) as info:
        make()
    assert isinstance(info.value, ValueError)


def test_observations_outside_the_space():
    agent = sl.TabularQLearning(4, 2, seed=0)
    for bad in (4, -1, 1.5, "x", True):
        with pytest.raises(sl.ObservationError, match="observation"):
            agent.act(bad)
    with pytest.raises(sl.ObservationError, match="action"):
        agent.observe(0, 5, 0.0, 1, False, False)
    with pytest.raises(sl.InvalidParameterError, match="reward"):
        agent.observe(0, 1, float("nan"), 1, False, False)
    coder = sl.TileCoder(n_tilings=2, tiles=2, low=[0, 0], high=[1, 1])
    lin = sl.LinearQLearning(coder, 2)
    with pytest.raises(sl.ObservationError, match="expected 2 values"):
        lin.act([0.5])
    with pytest.raises(sl.ObservationError, match="finite"):
        lin.act([0.5, np.nan])


def test_set_hyperparameter_is_validated():
    agent = sl.EpsilonGreedyBandit(3)
    with pytest.raises(sl.InvalidParameterError, match="epsilon"):
        agent.set_hyperparameter("epsilon", 2.0)
    with pytest.raises(sl.InvalidParameterError, match="zeta"):
        agent.set_hyperparameter("zeta", 0.1)
    loop = sl.StrangeLoop(agent, max_depth=2)
    with pytest.raises(sl.InvalidParameterError, match="level"):
        loop.knowledge(3)
    with pytest.raises(sl.InvalidParameterError, match="level"):
        loop.knowledge(0)


def test_modification_with_bad_target_or_value_is_refused():
    loop = sl.StrangeLoop(sl.EpsilonGreedyBandit(3, seed=0), max_depth=1, self_modification=True)
    with pytest.raises(sl.InvalidParameterError, match="target"):
        loop.propose(sl.Modification("set", "level7", {"step": 0.1}))
    with pytest.raises(sl.InvalidParameterError, match="epsilon"):
        loop.propose(sl.Modification("set", "base", {"epsilon": 3.0}))
    with pytest.raises(sl.InvalidParameterError, match=r"changes\['epsilon'\]"):
        sl.Modification("set", "base", {"epsilon": float("inf")})


def test_train_rejects_bad_arguments():
    with pytest.raises(sl.InvalidParameterError, match="episodes"):
        sl.train(sl.UCB(2), sl.envs.Chain(3), episodes=-1)
    with pytest.raises(sl.InvalidParameterError, match="env"):
        sl.train(sl.UCB(2), object(), episodes=1)
    with pytest.raises(sl.InvalidParameterError, match="greedy_action"):
        sl.evaluate(object(), sl.envs.Chain(3), episodes=1)


def test_invalid_modification_is_not_half_applied():
    loop = sl.StrangeLoop(
        sl.EpsilonGreedyBandit(3, alpha=0.1, seed=0), max_depth=1, self_modification=True
    )
    before = loop.base.hyperparameters
    with pytest.raises(sl.InvalidParameterError, match="epsilon"):
        loop.propose(sl.Modification("set", "base", {"alpha": 0.3, "epsilon": 3.0}))
    assert loop.base.hyperparameters == before
