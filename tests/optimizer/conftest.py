"""Tiny, hand-checkable day problems shared by the optimizer tests (no app, no database)."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from optimizer.model import (
    Candidate,
    DayProblem,
    Location,
    LunchBreak,
    RepDay,
    TimeWindow,
    TravelMatrix,
)

ROOT = Path(__file__).resolve().parents[2]
BENCH_DATA = ROOT / "bench" / "data"
H = 3600
M = 60
HOME = Location(-23.55, -46.63)


def line_problem(
    spots: Sequence[tuple[str, int, float, tuple[TimeWindow, ...]]],
    *,
    day: tuple[int, int] = (8 * H, 12 * H),
    max_working_s: int = 10 * H,
    service_s: int = 30 * M,
    lunch: LunchBreak | None = None,
    lunch_at: int = 0,
    appointments: frozenset[str] = frozenset(),
) -> DayProblem:
    """Build a day on a straight road: each spot is (id, minutes from home, prize, windows).

    Driving takes one minute per position unit and covers one kilometre per minute, so every
    time in a test can be worked out by hand.
    """
    xs = [0, 0, *(m for _, m, _, _ in spots)]
    if lunch is not None and lunch.location is not None:
        xs.append(lunch_at)
    dur = [[abs(a - b) * M for b in xs] for a in xs]
    dist = [[abs(a - b) * 1000 for b in xs] for a in xs]
    cands = tuple(
        Candidate(
            cid,
            Location(HOME.lat, HOME.lon + 0.01 * x),
            prize,
            service_s,
            windows,
            appointment=cid in appointments,
        )
        for cid, x, prize, windows in spots
    )
    rep = RepDay(HOME, HOME, day[0], day[1], max_working_s, lunch)
    return DayProblem(rep, cands, TravelMatrix(dur, dist))


def all_day(start_h: float = 8, end_h: float = 18) -> tuple[TimeWindow, ...]:
    """Return one window covering the given hours."""
    return (TimeWindow(int(start_h * H), int(end_h * H)),)


def synthetic_day(seed: int, n: int = 60) -> DayProblem:
    """Make a realistic rep day: scored customers around a depot, mixed windows, lunch."""
    rnd = random.Random(seed)
    spots = [
        Location(HOME.lat + rnd.uniform(-0.08, 0.08), HOME.lon + rnd.uniform(-0.08, 0.08))
        for _ in range(n)
    ]
    lunch_place = Location(HOME.lat + 0.01, HOME.lon) if seed % 2 else None
    pts = [HOME, HOME, *spots, *([lunch_place] if lunch_place else [])]
    kx, ky = 111_000.0, 111_000.0 * math.cos(math.radians(HOME.lat))
    dist = [
        [int(1.35 * math.hypot((a.lat - b.lat) * kx, (a.lon - b.lon) * ky)) for b in pts]
        for a in pts
    ]
    dur = [[int(d / 6.1) for d in row] for row in dist]
    cands = []
    for i, spot in enumerate(spots):
        r = rnd.random()
        windows = all_day()
        if r < 0.1:
            windows = ()
        elif r < 0.3:
            windows = (TimeWindow(8 * H, 12 * H), TimeWindow(14 * H, 18 * H))
        elif r < 0.4:
            opens = rnd.choice((9, 10, 15)) * H
            windows = (TimeWindow(opens, opens + H),)
        cands.append(
            Candidate(
                f"c{i}",
                spot,
                round(rnd.uniform(1, 100), 1),
                rnd.choice((900, 1200, 1800)),
                windows,
                appointment=i == 3 and len(windows) == 1,
            )
        )
    lunch = LunchBreak(11 * H + 30 * M, 13 * H + 30 * M, H, lunch_place)
    rep = RepDay(HOME, HOME, 8 * H, 18 * H, 8 * H + 30 * M, lunch)
    return DayProblem(rep, tuple(cands), TravelMatrix(dur, dist))


@pytest.fixture(scope="session")
def three_on_a_line() -> DayProblem:
    """Three customers 10, 20 and 30 minutes out, plenty of time: visit all three."""
    return line_problem(
        [
            ("a", 10, 1.0, all_day()),
            ("b", 20, 5.0, all_day()),
            ("c", 30, 10.0, all_day()),
        ]
    )


@pytest.fixture(scope="session")
def make_line() -> Callable[..., DayProblem]:
    """Expose the line-problem builder to tests that need their own variant."""
    return line_problem


@pytest.fixture(scope="session")
def realistic_days() -> list[DayProblem]:
    """Four synthetic 60-candidate days, with and without a lunch place."""
    return [synthetic_day(seed) for seed in range(4)]
