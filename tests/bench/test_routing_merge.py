"""bench/routing_merge.py: two routing.py optw outputs run apart merge into one comparison whose
reference, gaps and misses are those optw_table would have printed running all solvers at once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]

# ours and PyVRP, run first: an uptime line, the engine summary, and a pair only this file has.
OURS_PYVRP = """\
 05:10:01 up 3 days,  2:01,  0 users,  load average: 9.80, 10.12, 11.02
# optw bench/data/optw/instances tours=1,2 seconds=1.0 seed=0 cores=2 load average 9.8
instance,m,reference,ours_score,ours_gap%,ours_s,pyvrp_score,pyvrp_gap%,pyvrp_s
c101,1,320,316,1.25,1.00,300,6.25,1.10
r104,1,300,300,0.00,1.20,290,3.33,1.00
r101,2,400,400,0.00,1.40,infeasible,100.00,1.00
c102,2,500,500,0.00,1.00,480,4.00,1.00
# load average at the end 10.1
# m,solver,mean gap %,worst gap %,instances,mean seconds
# 1,ours,0.00,0.00,2,1.10
"""

# VROOM, run later alone on the same files and tour counts (but not c102 with 2 tours).
VROOM = """\
# optw bench/data/optw/instances tours=1,2 seconds=1.0 seed=0 cores=2 load average 0.4
instance,m,reference,vroom_score,vroom_gap%,vroom_s
c101,1,320,308,3.75,2.00
r104,1,305,305,0.00,3.00
r101,2,410,410,0.00,5.00
# load average at the end 0.5
"""


def _load() -> ModuleType:
    """Import bench/routing_merge.py (bench/ is scripts, not a package)."""
    spec = importlib.util.spec_from_file_location(
        "routing_merge", ROOT / "bench" / "routing_merge.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(OURS_PYVRP)
    b.write_text(VROOM)
    return a, b


def _lines(out: str, prefix: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln.startswith(prefix)]


def test_reference_and_gaps_from_all_files(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _load().main([str(f) for f in files])
    out = capsys.readouterr().out
    # c101 (m = 1): the proven optimum 320, not the best of the runs (ours, 316).
    # r104 (m = 1): lower_bound_only in best_known_m1.csv, so the best run, VROOM's 305.
    # r101 (m = 2): VROOM's 410 is the best; PyVRP's infeasible route is a 100 % miss.
    assert _lines(out, "instance,") == [
        "instance,m,reference,ours_score,ours_gap%,ours_s,pyvrp_score,pyvrp_gap%,pyvrp_s,"
        "vroom_score,vroom_gap%,vroom_s"
    ]
    assert _lines(out, "c101,") == ["c101,1,320,316,1.25,1.00,300,6.25,1.10,308,3.75,2.00"]
    assert _lines(out, "r104,") == ["r104,1,305,300,1.64,1.20,290,4.92,1.00,305,0.00,3.00"]
    assert _lines(out, "r101,") == ["r101,2,410,400,2.44,1.40,infeasible,100.00,1.00,410,0.00,5.00"]
    assert not _lines(out, "c102,")
    assert "# dropped 1 (instance, m) not in every file: c102 m=2" in out.splitlines()


def test_summary_known_optimum_and_misses(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _load().main([str(f) for f in files])
    out = capsys.readouterr().out
    assert _lines(out, "# 1,") == [
        "# 1,ours,1.44,1.64,2,1.10,0",
        "# 1,pyvrp,5.58,6.25,2,1.05,2",
        "# 1,vroom,1.88,3.75,2,2.50,1",
    ]
    assert _lines(out, "# 1 (known optimum),") == [
        "# 1 (known optimum),ours,1.25,1.25,1,1.00,0",
        "# 1 (known optimum),pyvrp,6.25,6.25,1,1.10,1",
        "# 1 (known optimum),vroom,3.75,3.75,1,2.00,1",
    ]
    assert _lines(out, "# 2,") == [
        "# 2,ours,2.44,2.44,1,1.40,0",
        "# 2,pyvrp,100.00,100.00,1,1.00,1",
        "# 2,vroom,0.00,0.00,1,5.00,0",
    ]
    misses = out.split("# above 3 %: instance,m,solver,score,reference,gap %\n")[1]
    assert misses.splitlines() == [
        "# c101,1,pyvrp,300,320,6.25",
        "# c101,1,vroom,308,320,3.75",
        "# r104,1,pyvrp,290,305,4.92",
        "# r101,2,pyvrp,infeasible,410,100.00",
    ]


def test_same_solver_twice_needs_a_label(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    merge = _load()
    again = tmp_path / "again.txt"
    again.write_text(OURS_PYVRP.replace("c101,1,320,316,", "c101,1,320,310,"))
    with pytest.raises(SystemExit, match="'ours' is in two files"):
        merge.main([str(files[0]), str(again)])
    merge.main([str(files[0]), str(again), "--label", f"B={again}"])
    out = capsys.readouterr().out
    assert _lines(out, "c101,") == [
        "c101,1,320,316,1.25,1.00,300,6.25,1.10,310,3.12,1.00,300,6.25,1.10"
    ]
    assert "ours_B_score" in _lines(out, "instance,")[0]
