"""Reference dynamical systems with documented parameters.

Flows are integrated with classical fourth-order Runge-Kutta at the sampling step
``dt`` split into ``substeps`` equal steps; a transient of ``transient`` samples is
integrated and dropped so the output lies on the attractor. Each flow also exposes
its vector field and Jacobian (``lorenz_rhs``, ``lorenz_jacobian``, ...) for
:func:`~temporal_attractor_studio.lyapunov_spectrum`.

=====================  ========================================  ==========================
system                 equations and default parameters          known largest exponent
=====================  ========================================  ==========================
Lorenz                 x' = σ(y-x), y' = x(ρ-z)-y, z' = xy-βz;    0.906 (spectrum
                       σ=10, ρ=28, β=8/3                          0.906, 0, -14.57)
Rössler                x' = -y-z, y' = x+ay, z' = b+z(x-c);       0.0714
                       a=0.2, b=0.2, c=5.7
Hénon                  x' = 1-ax²+y, y' = bx; a=1.4, b=0.3        0.419 (per iteration)
logistic               x' = rx(1-x); r=4                          ln 2 (r=4)
Duffing (forced)       x'' + δx' + αx + βx³ = γcos(ωt);           chaotic for the defaults
                       δ=0.3, α=-1, β=1, γ=0.5, ω=1.2
Van der Pol            x'' - μ(1-x²)x' + x = 0; μ=1               0 (limit cycle)
damped oscillator      x'' + 2ζωx' + ω²x = 0; ω=1, ζ=0.05         -ζω (fixed point)
=====================  ========================================  ==========================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from .errors import AttractorError

__all__ = [
    "damped_oscillator",
    "duffing",
    "henon",
    "henon_jacobian",
    "henon_map",
    "logistic",
    "lorenz",
    "lorenz_jacobian",
    "lorenz_rhs",
    "rossler",
    "rossler_jacobian",
    "rossler_rhs",
    "van_der_pol",
]

Vector = NDArray[np.float64]


def _check_common(n: int, dt: float | None = None, transient: int = 0) -> None:
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise AttractorError(f"n must be an integer >= 1, got {n!r}")
    if dt is not None and not (np.isfinite(dt) and dt > 0):
        raise AttractorError(f"dt must be a finite number > 0, got {dt!r}")
    if not isinstance(transient, (int, np.integer)) or transient < 0:
        raise AttractorError(f"transient must be an integer >= 0, got {transient!r}")


def _integrate(
    rhs: Callable[[Vector], Vector],
    x0: Sequence[float],
    n: int,
    dt: float,
    transient: int,
    substeps: int,
) -> NDArray[np.float64]:
    if not isinstance(substeps, (int, np.integer)) or substeps < 1:
        raise AttractorError(f"substeps must be an integer >= 1, got {substeps!r}")
    x = np.array(x0, dtype=np.float64)
    h = dt / substeps
    out = np.empty((n, x.shape[0]))
    for i in range(transient + n):
        for _ in range(substeps):
            k1 = rhs(x)
            k2 = rhs(x + 0.5 * h * k1)
            k3 = rhs(x + 0.5 * h * k2)
            k4 = rhs(x + h * k3)
            x = x + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        if i >= transient:
            out[i - transient] = x
    if not np.isfinite(out).all():
        raise AttractorError("integration diverged; reduce dt or increase substeps")
    return out


def lorenz_rhs(
    x: Vector, sigma: float = 10.0, rho: float = 28.0, beta: float = 8.0 / 3.0
) -> Vector:
    """Lorenz vector field at state ``x = (x, y, z)``."""
    return np.array([sigma * (x[1] - x[0]), x[0] * (rho - x[2]) - x[1], x[0] * x[1] - beta * x[2]])


def lorenz_jacobian(
    x: Vector, sigma: float = 10.0, rho: float = 28.0, beta: float = 8.0 / 3.0
) -> NDArray[np.float64]:
    """Jacobian of :func:`lorenz_rhs` at ``x``."""
    return np.array(
        [[-sigma, sigma, 0.0], [rho - x[2], -1.0, -x[0]], [x[1], x[0], -beta]],
    )


def lorenz(
    n: int,
    *,
    dt: float = 0.01,
    sigma: float = 10.0,
    rho: float = 28.0,
    beta: float = 8.0 / 3.0,
    x0: Sequence[float] = (1.0, 1.0, 1.0),
    transient: int = 2000,
    substeps: int = 1,
) -> NDArray[np.float64]:
    """Lorenz (1963) trajectory, shape ``(n, 3)``, sampled every ``dt``.

    Examples
    --------
    >>> lorenz(3).shape
    (3, 3)
    """
    _check_common(n, dt, transient)
    return _integrate(lambda s: lorenz_rhs(s, sigma, rho, beta), x0, n, dt, transient, substeps)


def rossler_rhs(x: Vector, a: float = 0.2, b: float = 0.2, c: float = 5.7) -> Vector:
    """Rössler vector field at state ``x = (x, y, z)``."""
    return np.array([-x[1] - x[2], x[0] + a * x[1], b + x[2] * (x[0] - c)])


def rossler_jacobian(
    x: Vector, a: float = 0.2, b: float = 0.2, c: float = 5.7
) -> NDArray[np.float64]:
    """Jacobian of :func:`rossler_rhs` at ``x``."""
    return np.array([[0.0, -1.0, -1.0], [1.0, a, 0.0], [x[2], 0.0, x[0] - c]])


def rossler(
    n: int,
    *,
    dt: float = 0.1,
    a: float = 0.2,
    b: float = 0.2,
    c: float = 5.7,
    x0: Sequence[float] = (1.0, 1.0, 0.0),
    transient: int = 1000,
    substeps: int = 2,
) -> NDArray[np.float64]:
    """Rössler (1976) trajectory, shape ``(n, 3)``, sampled every ``dt``.

    Examples
    --------
    >>> rossler(4).shape
    (4, 3)
    """
    _check_common(n, dt, transient)
    return _integrate(lambda s: rossler_rhs(s, a, b, c), x0, n, dt, transient, substeps)


def henon_map(x: Vector, a: float = 1.4, b: float = 0.3) -> Vector:
    """One Hénon iteration of ``x = (x, y)``."""
    return np.array([1.0 - a * x[0] * x[0] + x[1], b * x[0]])


def henon_jacobian(x: Vector, a: float = 1.4, b: float = 0.3) -> NDArray[np.float64]:
    """Jacobian of :func:`henon_map` at ``x``."""
    return np.array([[-2.0 * a * x[0], 1.0], [b, 0.0]])


def henon(
    n: int,
    *,
    a: float = 1.4,
    b: float = 0.3,
    x0: Sequence[float] = (0.1, 0.1),
    transient: int = 1000,
) -> NDArray[np.float64]:
    """Hénon (1976) map orbit, shape ``(n, 2)``.

    Examples
    --------
    >>> henon(2).shape
    (2, 2)
    """
    _check_common(n, None, transient)
    x, y = float(x0[0]), float(x0[1])
    out = np.empty((n, 2))
    for i in range(transient + n):
        x, y = 1.0 - a * x * x + y, b * x
        if i >= transient:
            out[i - transient, 0] = x
            out[i - transient, 1] = y
    if not np.isfinite(out).all():
        raise AttractorError("Hénon orbit diverged for these parameters")
    return out


def logistic(n: int, *, r: float = 4.0, x0: float = 0.4, transient: int = 1000) -> Vector:
    """Logistic map orbit ``x' = r x (1 - x)``, shape ``(n,)``.

    Examples
    --------
    >>> logistic(3, r=3.5, transient=1000).round(4).tolist()
    [0.8269, 0.5009, 0.875]
    """
    _check_common(n, None, transient)
    if not 0.0 < r <= 4.0:
        raise AttractorError(f"r must be in (0, 4], got {r!r}")
    if not 0.0 < x0 < 1.0:
        raise AttractorError(f"x0 must be in (0, 1), got {x0!r}")
    x = float(x0)
    out = np.empty(n)
    for i in range(transient + n):
        x = r * x * (1.0 - x)
        if i >= transient:
            out[i - transient] = x
    return out


def duffing(
    n: int,
    *,
    dt: float = 0.1,
    delta: float = 0.3,
    alpha: float = -1.0,
    beta: float = 1.0,
    gamma: float = 0.5,
    omega: float = 1.2,
    x0: Sequence[float] = (1.0, 0.0),
    transient: int = 1000,
    substeps: int = 4,
) -> NDArray[np.float64]:
    """Forced Duffing oscillator, columns ``(x, x', t)``, shape ``(n, 3)``.

    Examples
    --------
    >>> duffing(2).shape
    (2, 3)
    """
    _check_common(n, dt, transient)

    def rhs(s: Vector) -> Vector:
        return np.array(
            [
                s[1],
                gamma * np.cos(omega * s[2]) - delta * s[1] - alpha * s[0] - beta * s[0] ** 3,
                1.0,
            ]
        )

    return _integrate(rhs, (x0[0], x0[1], 0.0), n, dt, transient, substeps)


def van_der_pol(
    n: int,
    *,
    dt: float = 0.05,
    mu: float = 1.0,
    x0: Sequence[float] = (1.0, 0.0),
    transient: int = 1000,
    substeps: int = 2,
) -> NDArray[np.float64]:
    """Van der Pol oscillator, columns ``(x, x')``, shape ``(n, 2)``.

    Examples
    --------
    >>> van_der_pol(2).shape
    (2, 2)
    """
    _check_common(n, dt, transient)
    return _integrate(
        lambda s: np.array([s[1], mu * (1.0 - s[0] ** 2) * s[1] - s[0]]),
        x0,
        n,
        dt,
        transient,
        substeps,
    )


def damped_oscillator(
    n: int, *, dt: float = 0.05, omega: float = 1.0, zeta: float = 0.05, x0: float = 1.0
) -> Vector:
    """Exact solution ``x(t)`` of ``x'' + 2ζωx' + ω²x = 0`` from ``x(0)=x0, x'(0)=0``.

    Underdamped (``0 < zeta < 1``); the amplitude decays as ``exp(-zeta*omega*t)``.

    Examples
    --------
    >>> damped_oscillator(2, dt=0.5).round(4).tolist()
    [1.0, 0.8796]
    """
    _check_common(n, dt)
    if not 0.0 < zeta < 1.0:
        raise AttractorError(f"zeta must be in (0, 1), got {zeta!r}")
    if not omega > 0:
        raise AttractorError(f"omega must be > 0, got {omega!r}")
    t = np.arange(n) * dt
    wd = omega * np.sqrt(1.0 - zeta * zeta)
    decay = zeta * omega
    return x0 * np.exp(-decay * t) * (np.cos(wd * t) + (decay / wd) * np.sin(wd * t))
