"""The benchmark CLI prints one JSON object whose routes pass the checker."""

from __future__ import annotations

import json
import subprocess
import sys

from optimizer.checker import check_optw, check_vrptw, vrptw_distance
from optimizer.instances import read_optw, read_solomon
from tests.optimizer.conftest import BENCH_DATA, ROOT


def run_cli(*args: str) -> dict[str, object]:
    """Run ``python -m optimizer`` and parse its single JSON line."""
    out = subprocess.run(
        [sys.executable, "-m", "optimizer", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert isinstance(result, dict)
    return result


def test_optw_cli_gives_feasible_tours() -> None:
    """Tests the optw sub-command on c101 with two tours, on an iteration budget (so that a
    loaded machine changes nothing)."""
    path = BENCH_DATA / "optw" / "instances" / "c101.txt"
    result = run_cli("optw", str(path), "--tours", "2", "--iterations", "10", "--rounds", "2")
    assert set(result) == {"instance", "tours", "score", "routes", "seconds", "engines"}
    engines = result["engines"]
    assert isinstance(engines, dict)
    assert engines["ortools_solutions"] >= 1  # OR-Tools ran from the ILS routes
    assert engines["ils_iterations"] == 20
    assert engines["rounds"] == 2
    assert result["score"] >= engines["ils_score"]
    routes = result["routes"]
    assert isinstance(routes, list)
    assert len(routes) == 2
    score = result["score"]
    assert isinstance(score, float)
    assert check_optw(read_optw(path), routes, tours=2, score=score) == []
    assert score >= 320  # one tour alone reaches the proven optimum of 320


def test_vrptw_cli_serves_everyone_feasibly() -> None:
    """Tests the vrptw sub-command on C101 (best known: 10 vehicles).

    A solution count bounds the search (the time limit is a safety net), so a loaded
    machine cannot stop it before its first solution; the first one already serves everyone.
    """
    path = BENCH_DATA / "solomon" / "C101.txt"
    result = run_cli("vrptw", str(path), "--seconds", "120", "--solutions", "1")
    assert set(result) == {"instance", "vehicles", "distance", "routes", "seconds"}
    routes = result["routes"]
    assert isinstance(routes, list)
    inst = read_solomon(path)
    assert check_vrptw(inst, routes) == []
    assert result["vehicles"] == len(routes)
    assert abs(vrptw_distance(inst, routes) - float(str(result["distance"]))) < 1e-3
