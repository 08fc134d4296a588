"""The independent checker accepts known-good solutions and names what is wrong with bad ones."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest

from optimizer import DayProblem, solve_day
from optimizer.checker import check_day, check_optw, check_vrptw
from optimizer.instances import read_optw, read_solomon
from tests.optimizer.conftest import BENCH_DATA

EXACT = sorted((BENCH_DATA / "optw" / "righini_salani_exact").glob("*.dssr.full"))


def final_route(log: Path) -> tuple[float, list[int]]:
    """Return the prize and customers of the last 'Best Feasible Path' in a DSSR log."""
    text = log.read_text()
    prize = float(re.findall(r"Prize:\s*(\S+)", text)[-1])
    users = [ln.split(":", 1)[1].split() for ln in text.splitlines() if ln.startswith("Usr")]
    return prize, [int(u) for u in users[-1]]


def test_there_are_29_exact_logs() -> None:
    """Tests that the Righini & Salani logs are all in bench/data."""
    assert len(EXACT) == 29


@pytest.mark.parametrize("log", EXACT, ids=lambda p: p.name.split("_")[0])
def test_optimal_routes_check_out_with_their_printed_prize(log: Path) -> None:
    """Tests that each proven-optimal route is feasible and worth exactly its printed prize."""
    prize, route = final_route(log)
    inst = read_optw(BENCH_DATA / "optw" / "instances" / f"{log.name.split('_')[0]}.txt")
    assert check_optw(inst, [route], tours=1, score=prize) == []


def test_optw_violations_are_reported() -> None:
    """Tests that a repeated, late or over-budget route is flagged."""
    prize, route = final_route(EXACT[0])
    inst = read_optw(BENCH_DATA / "optw" / "instances" / "c101.txt")
    assert any("visited 2 times" in v for v in check_optw(inst, [route, route[:1]]))
    assert any("after its window" in v for v in check_optw(inst, [list(reversed(route))]))
    assert any("score" in v for v in check_optw(inst, [route], score=prize + 1))
    assert any("tours" in v for v in check_optw(inst, [route[:2], route[2:]], tours=1))


def test_vrptw_violations_are_reported() -> None:
    """Tests that missing customers and over-capacity routes are flagged."""
    inst = read_solomon(BENCH_DATA / "solomon" / "C101.txt")
    everyone = list(range(1, 101))
    problems = check_vrptw(inst, [everyone])
    assert any("over capacity" in v for v in problems)
    assert any("not served" in v for v in check_vrptw(inst, [[1]]))


def test_day_violations_are_reported(three_on_a_line: DayProblem) -> None:
    """Tests that tampered day routes (times, visits, totals) are caught."""
    route = solve_day(three_on_a_line, time_limit=timedelta(seconds=0.1))
    assert check_day(three_on_a_line, route) == []
    first = route.stops[0]
    late = dataclasses.replace(
        first,
        arrival_s=first.arrival_s + 60,
        start_s=first.start_s + 60,
        departure_s=first.departure_s + 60,
    )
    assert check_day(three_on_a_line, dataclasses.replace(route, stops=(late, *route.stops[1:])))
    twice = dataclasses.replace(route, stops=(*route.stops, route.stops[0]))
    assert any("visited 2 times" in v for v in check_day(three_on_a_line, twice))
    richer = dataclasses.replace(route, prize=route.prize + 1)
    assert any("prize" in v for v in check_day(three_on_a_line, richer))
    short_day = dataclasses.replace(
        three_on_a_line, rep=dataclasses.replace(three_on_a_line.rep, end_s=9 * 3600)
    )
    assert any("after" in v for v in check_day(short_day, route))
