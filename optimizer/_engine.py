"""The route search every caller uses: the project's ILS builds routes, OR-Tools improves them.

1. :func:`optimizer._ils.solve` (construction, then iterated local search) finds good routes
   fast: it is strong at choosing *who* is visited (prize-driven insertion, swaps, perturbation).
2. :func:`optimizer._ortools.improve` loads those routes into OR-Tools' routing model
   (``ReadAssignmentFromRoutes``) and descends from them to OR-Tools' local optimum: its
   operators (relocate, exchange, cross, 2-opt*, or-opt, make/swap active, LNS) shorten
   driving and move visits between tours. With a wall-clock budget the two alternate.
3. The answer is OR-Tools' best assignment, re-timed by the project's own scheduler
   (:func:`optimizer._core.schedule`), which is what the independent checker verifies.

OR-Tools' model treats a place-less lunch as a break interval, a slight relaxation of the
project's rule (see :mod:`optimizer._ortools.orienteering`); a solution the scheduler cannot
time is skipped for the next best OR-Tools found, and counted in :attr:`EngineReport.rejected`.
If OR-Tools' model rejected the ILS routes (the two models disagree: a bug the tests look for),
the ILS routes are returned and :attr:`EngineReport.agreed` is False.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from optimizer import _ils
from optimizer._core import Core, Schedule, schedule
from optimizer._ortools import Models, improve

ROUND_SHARE = 0.25  # of a wall-clock budget: the ILS's share of each round
RESERVE = 0.1  # of the budget, kept for OR-Tools' last descent
MIN_ORTOOLS_S = 0.05  # OR-Tools' descent always gets at least this (safety net only)
ROUNDS = 4  # rounds of an iteration-bounded benchmark run: about those of a 1 s clock run
SOLUTION_LIMIT = 100_000  # OR-Tools' descent stops at its local optimum long before this


@dataclass(frozen=True, slots=True)
class EngineReport:
    """How the two engines shared the work on one problem.

    ``ils_prize``/``ils_travel`` describe the routes OR-Tools was handed last and
    ``prize``/``travel`` its answer; ``rounds`` counts OR-Tools descents, ``gains`` those that
    improved the routes they were handed, by ``prize_gained`` and ``travel_saved`` in all;
    ``iterations`` counts the ILS's perturbations over all rounds.
    """

    ils_prize: float
    ils_travel: int
    prize: float
    travel: int
    ils_seconds: float
    ortools_seconds: float
    ortools_solutions: int
    rejected: int
    agreed: bool
    rounds: int = 1
    gains: int = 0
    prize_gained: float = 0.0
    travel_saved: int = 0
    iterations: int = 0

    @property
    def improved(self) -> bool:
        """Tell whether OR-Tools' answer beats the ILS routes it started from."""
        return (round(self.prize, 6), -self.travel) > (round(self.ils_prize, 6), -self.ils_travel)


def _timed(core: Core, tours: list[list[int]]) -> _ils.Solution | None:
    """Schedule every tour with the project's scheduler; None when one does not fit."""
    scheds: list[Schedule] = []
    for tour, nodes in zip(core.tours, tours, strict=True):
        s = schedule(core, tour, nodes)
        if s is None:
            return None
        scheds.append(s)
    prize = float(sum(core.prize[n] for t in tours for n in t[1:-1]))
    return _ils.Solution(tours, scheds, prize, sum(s.travel for s in scheds))


def _with_lunch(core: Core, tours: list[list[int]], eater: int) -> _ils.Solution | None:
    """Put the place-less lunch back into tour ``eater`` where it ends the tour earliest."""
    base = tours[eater]
    best: tuple[tuple[int, int], _ils.Solution] | None = None
    for k in range(len(base) - 1):
        trial = [list(t) for t in tours]
        trial[eater] = [*base[: k + 1], core.follow, *base[k + 1 :]]
        sol = _timed(core, trial)
        if sol is not None:
            rank = (sol.scheds[eater].arrive[-1], sol.travel)
            if best is None or rank < best[0]:
                best = (rank, sol)
    return None if best is None else best[1]


def _descend(
    core: Core, start: _ils.Solution, seconds: float, models: Models
) -> tuple[_ils.Solution, int, int, float] | None:
    """Run OR-Tools from ``start``; return its best timed solution, solutions, rejects, time.

    None when OR-Tools' model rejects ``start`` (the models disagree).
    """
    run = improve(
        core,
        start.tours,
        solution_limit=SOLUTION_LIMIT,
        time_limit=timedelta(seconds=max(seconds, MIN_ORTOOLS_S)),
        models=models,
    )
    if run is None:
        return None
    eaters = [v for v, t in enumerate(start.tours) if core.follow >= 0 and core.follow in t]
    chosen, rejected = start, 0
    for found in sorted((run.best, *run.solutions), key=lambda f: f.objective):
        tours = [list(t) for t in found.tours]
        sol = _with_lunch(core, tours, eaters[0]) if eaters else _timed(core, tours)
        if sol is None:
            rejected += 1
            continue
        if sol.key() >= start.key():
            chosen = sol
        break
    return chosen, len(run.solutions), rejected, run.seconds


def solve(
    core: Core,
    *,
    seconds: float,
    seed: int = 0,
    iterations: int | None = None,
    patience: int | None = None,
    rounds: int = 1,
) -> tuple[_ils.Solution, list[int], EngineReport]:
    """Run the ILS, then OR-Tools from its routes; return the best routes and the report.

    The search runs in rounds: the ILS searches, OR-Tools descends from its best, the ILS
    goes on from OR-Tools' answer, and so on; the last word is always OR-Tools'.

    With an ``iterations`` budget each of the ``rounds`` rounds runs the ILS for that many
    perturbations (or until ``patience`` perturbations in a row found nothing), so a seeded
    run gives the same routes on any machine, loaded or not (the rep's day: one round; the
    benchmark's ``--iterations``: several); ``seconds`` is then only a wall-clock safety net.
    Without one (the benchmark's production-like ``--seconds``) the ILS gets ``ROUND_SHARE`` of
    the ``seconds`` per round and the rounds go on until the budget is spent, so the result
    depends on how fast the machine was. Returns the solution, the mandatory nodes that could
    not be placed, and the report.
    """
    _ils.compiled()  # before the clock: importing the kernels is no part of the search
    clock = _ils.CLOCK
    started = clock()
    deadline = started + seconds
    ils_s = ort_s = 0.0
    solutions = rejected = descents = gains = saved = 0
    left = rounds
    gained = 0.0
    run = _ils.Run(core, seed)
    models = Models(core)
    while True:
        t0 = clock()
        if iterations is not None:
            run.iterate(iterations, deadline - seconds * RESERVE, patience)
            left -= 1
        else:
            stop = min(t0 + seconds * ROUND_SHARE, deadline - seconds * RESERVE)
            run.iterate(10**9, stop, patience)
        t1 = clock()
        ils_s += t1 - t0
        handed = run.best.copy()
        done = _descend(core, handed, deadline - t1, models)
        if done is None:
            report = EngineReport(
                handed.prize,
                handed.travel,
                handed.prize,
                handed.travel,
                ils_s,
                ort_s,
                solutions,
                rejected,
                agreed=False,
                rounds=descents,
                gains=gains,
                prize_gained=gained,
                travel_saved=saved,
                iterations=run.done,
            )
            return handed, run.missed, report
        answer, found, skipped, took = done
        descents += 1
        ort_s += took
        solutions += found
        rejected += skipped
        if answer.key() > handed.key():
            gains += 1
            gained += answer.prize - handed.prize
            saved += handed.travel - answer.travel
        if clock() >= deadline - seconds * RESERVE or (iterations is not None and left <= 0):
            break
        run.adopt(answer)
    report = EngineReport(
        handed.prize,
        handed.travel,
        answer.prize,
        answer.travel,
        ils_s,
        ort_s,
        solutions,
        rejected,
        agreed=True,
        rounds=descents,
        gains=gains,
        prize_gained=gained,
        travel_saved=saved,
        iterations=run.done,
    )
    return answer, run.missed, report
