"""BG/NBD population fit in numpy: Poisson purchasing with gamma rates and Beta dropout."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from optimizer.scoring.mathfn import lgamma

FloatArray = npt.NDArray[np.float64]


def bgnbd_loglik(
    params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    age: FloatArray,
    unique_x: tuple[FloatArray, npt.NDArray[np.int64]] | None = None,
) -> float:
    """Total log-likelihood of (repeats x, last repeat time t_x, age T) at ln(r, alpha, a, b).

    The gamma-function terms depend on x alone, so they are summed over its distinct values
    (``unique_x`` = values and counts, computed once by the caller).
    """
    r, alpha, a, b = np.exp(np.clip(params, -10.0, 10.0))
    ux, count = unique_x if unique_x is not None else np.unique(x, return_counts=True)
    head = (
        lgamma(r + ux)
        - lgamma(r)
        + r * math.log(alpha)
        + lgamma(a + b)
        + lgamma(b + ux)
        - lgamma(b)
        - lgamma(a + b + ux)
    )
    alive = -(r + x) * np.log(alpha + age)
    safe = np.maximum(x, 1.0)
    dead = math.log(a) - np.log(b + safe - 1.0) - (r + x) * np.log(alpha + t_x)
    tail = np.where(x > 0, np.logaddexp(alive, dead), alive)
    return float(np.dot(head, count) + np.sum(tail))


def nelder_mead(
    fun: Callable[[FloatArray], float],
    start: FloatArray,
    step: float = 0.5,
    iters: int = 300,
) -> FloatArray:
    """Minimise ``fun`` from ``start`` with the Nelder-Mead simplex (deterministic)."""
    dim = len(start)
    simplex = [np.asarray(start, dtype=np.float64)]
    for k in range(dim):
        point = simplex[0].copy()
        point[k] += step
        simplex.append(point)
    values = [fun(p) for p in simplex]
    for _ in range(iters):
        order = np.argsort(values)
        simplex = [simplex[k] for k in order]
        values = [values[k] for k in order]
        if abs(values[-1] - values[0]) < 1e-6 * (1 + abs(values[0])):
            break
        centroid = np.mean(simplex[:-1], axis=0)
        worst = simplex[-1]
        reflected = centroid + (centroid - worst)
        f_ref = fun(reflected)
        if f_ref < values[0]:
            expanded = centroid + 2 * (centroid - worst)
            f_exp = fun(expanded)
            simplex[-1], values[-1] = (expanded, f_exp) if f_exp < f_ref else (reflected, f_ref)
        elif f_ref < values[-2]:
            simplex[-1], values[-1] = reflected, f_ref
        else:
            contracted = centroid + 0.5 * (worst - centroid)
            f_con = fun(contracted)
            if f_con < values[-1]:
                simplex[-1], values[-1] = contracted, f_con
            else:
                best = simplex[0]
                simplex = [best] + [best + 0.5 * (p - best) for p in simplex[1:]]
                values = [values[0]] + [fun(p) for p in simplex[1:]]
    return simplex[int(np.argmin(values))]


def fit_bgnbd(x: FloatArray, t_x: FloatArray, age: FloatArray) -> tuple[float, float, float, float]:
    """Maximum-likelihood (r, alpha, a, b), time in days."""
    start = np.log(np.array([0.5, max(float(np.mean(age)) / 4, 1.0), 0.5, 2.0]))
    unique_x = np.unique(x, return_counts=True)

    def loss(p: FloatArray) -> float:
        return -bgnbd_loglik(p, x, t_x, age, unique_x)

    best = nelder_mead(loss, nelder_mead(loss, start), step=0.1)
    r, alpha, a, b = (float(v) for v in np.exp(np.clip(best, -10.0, 10.0)))
    return r, alpha, a, b
