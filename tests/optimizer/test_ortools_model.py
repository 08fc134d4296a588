"""OR-Tools' model of the core: it improves the routes it is given and rejects impossible ones."""

from __future__ import annotations

import itertools
from datetime import timedelta

from optimizer._ortools import improve
from optimizer.instances import OptwInstance, optw_core

LIMIT = timedelta(seconds=2)  # safety net only: the descent stops at its local optimum


def line(
    xs: list[float], *, tmax: float = 500.0, windows: dict[int, tuple[float, float]] | None = None
) -> OptwInstance:
    """Customers on a line east of the depot at ``xs``, score 10 each, no service time."""
    windows = windows or {}
    count = len(xs)
    return OptwInstance(
        "line",
        ((0.0, 0.0), *((x, 0.0) for x in xs)),
        (0.0,) * (count + 1),
        (0.0,) + (10.0,) * count,
        (0.0, *(windows.get(i + 1, (0.0, tmax))[0] for i in range(count))),
        (tmax, *(windows.get(i + 1, (0.0, tmax))[1] for i in range(count))),
    )


def test_ortools_untangles_a_zigzag_tour() -> None:
    """Tests that OR-Tools turns 30, 10, 20 into one trip out and back (same visits)."""
    core = optw_core(line([10.0, 20.0, 30.0]), 1)
    end = core.tours[0].end
    run = improve(core, [[0, 3, 1, 2, end]], solution_limit=1000, time_limit=LIMIT)
    assert run is not None
    (tour,) = run.best.tours
    assert sorted(tour[1:-1]) == [1, 2, 3]
    assert sum(int(core.travel[a, b]) for a, b in itertools.pairwise(tour)) == 600  # 2 x 30.0
    assert run.best.objective < run.solutions[0].objective  # the first is the given tour


def test_ortools_adds_a_customer_the_routes_left_out() -> None:
    """Tests that a customer that fits is added (its prize outweighs the detour)."""
    core = optw_core(line([10.0, 20.0, 30.0]), 2)
    end = core.tours[0].end
    run = improve(core, [[0, 1, end], [0, 3, end]], solution_limit=1000, time_limit=LIMIT)
    assert run is not None
    visited = sorted(n for t in run.best.tours for n in t[1:-1])
    assert visited == [1, 2, 3]


def test_ortools_keeps_one_window_of_a_customer_with_two() -> None:
    """Tests that two nodes of one group (a two-window customer) are never both visited."""
    inst = line([10.0, 10.0], windows={1: (0.0, 50.0), 2: (200.0, 250.0)})
    core = optw_core(inst, 1)
    grouped = core.group.copy()
    grouped[1] = grouped[2] = 0
    core = type(core)(
        core.travel,
        core.open,
        core.close,
        core.service,
        core.prize,
        grouped,
        core.mandatory,
        core.customers,
        core.tours,
    )
    end = core.tours[0].end
    run = improve(core, [[0, end]], solution_limit=1000, time_limit=LIMIT)
    assert run is not None
    assert len([n for t in run.best.tours for n in t[1:-1]]) == 1


def test_ortools_rejects_routes_its_model_cannot_time() -> None:
    """Tests that a tour the time windows forbid is refused: the engines' agreement check."""
    core = optw_core(line([10.0, 20.0], windows={2: (0.0, 5.0)}), 1)
    end = core.tours[0].end
    assert improve(core, [[0, 1, 2, end]], solution_limit=10, time_limit=LIMIT) is None
