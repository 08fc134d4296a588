"""Merge the OPTW tables of several ``bench/routing.py optw`` runs into one comparison.

    python bench/routing_merge.py ours_pyvrp.txt vroom.txt
    python bench/routing_merge.py runA.txt runB.txt --label B=runB.txt   # ours vs ours_B
    python bench/routing_merge.py a.txt b.txt --known bench/data/optw/best_known_m1.csv

Why it exists: the solvers do not need the same conditions. VROOM stops by itself, so its scores
do not depend on the machine's load, and ours can be timed by CPU (``--clock cpu``); so each solver
can be run apart, when the machine allows, and the runs merged here afterwards. The reference is
recomputed from all the runs exactly as ``optw_table`` does when it runs every solver at once: the
value of ``best_known_m1.csv`` for one tour where it has one (any row whose status is not
``lower_bound_only``, as in ``bench/routing.py``), otherwise the best score of any solver of any
file for that instance and tour count. ``infeasible`` counts as a miss (gap 100 %).

Input: what ``routing.py optw`` prints (``#`` comment lines, the header
``instance,m,reference,<s>_score,<s>_gap%,<s>_s,...``, one row per instance and tour count); any
other text in the file (``uptime``, the engine summary, another table) is skipped. Only the
(instance, m) pairs present in every file are compared; the others are listed in a ``#`` line.
A solver name may appear in one file only: ``--label NAME=FILE`` renames the solvers of FILE to
``<solver>_NAME`` (two runs of ours, say). The rows are printed in ``optw_table``'s format (so the
output can be merged again), then the summary per m and solver and the runs above 3 %.
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KNOWN = ROOT / "bench" / "data" / "optw" / "best_known_m1.csv"
HEADER = ("instance", "m", "reference")
ABOVE = 3.0  # gap % beyond which a run is listed

Pair = tuple[str, int]


@dataclass
class Result:
    """One solver's answer for one (instance, m): the score (NaN if infeasible) and its time."""

    score: float
    seconds: float


@dataclass
class Run:
    """The table of one file: its solvers in column order and their results per (instance, m)."""

    path: Path
    titles: list[str] = field(default_factory=list)
    solvers: list[str] = field(default_factory=list)
    rows: dict[Pair, dict[str, Result]] = field(default_factory=dict)


def header_solvers(cells: list[str]) -> list[str] | None:
    """The solver names of an ``optw_table`` header, or None if the cells are not one."""
    if tuple(cells[:3]) != HEADER or (len(cells) - 3) % 3 or len(cells) == 3:
        return None
    names = []
    for i in range(3, len(cells), 3):
        score, gap, took = cells[i : i + 3]
        name = score.removesuffix("_score")
        if not score.endswith("_score") or gap != f"{name}_gap%" or took != f"{name}_s":
            return None
        names.append(name)
    return names


def parse_row(cells: list[str], solvers: list[str]) -> tuple[Pair, dict[str, Result]] | None:
    """One data row under a header with these solvers, or None if the cells are not one."""
    if len(cells) != 3 + 3 * len(solvers):
        return None
    try:
        m = int(cells[1])
        float(cells[2])
        results = {}
        for k, s in enumerate(solvers):
            score, gap, took = cells[3 + 3 * k : 6 + 3 * k]
            float(gap)
            value = math.nan if score == "infeasible" else float(score)
            results[s] = Result(value, float(took))
    except ValueError:
        return None
    return (cells[0], m), results


def read_run(path: Path, suffix: str = "") -> Run:
    """Read one output file; solvers are renamed ``<solver>_<suffix>`` when a suffix is given."""
    run = Run(path)
    solvers: list[str] | None = None
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            if line.startswith("# optw "):
                run.titles.append(line.removeprefix("# "))
            continue
        cells = next(csv.reader([line.strip()]), [])
        found = header_solvers(cells)
        if found is not None:
            solvers = [f"{s}_{suffix}" if suffix else s for s in found]
            run.solvers += [s for s in solvers if s not in run.solvers]
            continue
        if cells[:1] == ["instance"]:
            solvers = None  # another table's header: its rows are not ours
        row = parse_row(cells, solvers) if solvers else None
        if row is None:
            continue
        pair, results = row
        mine = run.rows.setdefault(pair, {})
        if set(mine) & set(results):
            raise SystemExit(f"{path}: {pair[0]}, m = {pair[1]} appears twice for the same solver")
        mine.update(results)
    if not run.rows:
        raise SystemExit(f"{path}: no routing.py optw table found")
    return run


def read_known(path: Path | None) -> dict[str, float]:
    """The one-tour references of ``best_known_m1.csv``, skipping ``lower_bound_only`` rows."""
    if path is None:
        return {}
    with path.open() as fh:
        return {
            row["instance"]: float(row["best_known_value"])
            for row in csv.DictReader(fh)
            if row["status"] != "lower_bound_only"
        }


def common_pairs(runs: list[Run]) -> tuple[list[Pair], list[Pair]]:
    """The pairs in every run (in the first run's order) and the ones dropped."""
    kept = [p for p in runs[0].rows if all(p in r.rows for r in runs)]
    everywhere = set(kept)
    dropped = sorted({p for r in runs for p in r.rows} - everywhere, key=lambda p: (p[1], p[0]))
    return kept, dropped


def check_names(runs: list[Run]) -> list[str]:
    """All solver names in order; a name in two files is an error (``--label`` renames one)."""
    names: list[str] = []
    for run in runs:
        for s in run.solvers:
            if s in names:
                raise SystemExit(
                    f"solver {s!r} is in two files; rename one run with --label NAME={run.path}"
                )
            names.append(s)
    return names


def reference(pair: Pair, scores: Iterable[float], known: dict[str, float]) -> float:
    """The known value for one tour where there is one, else the best feasible score."""
    instance, m = pair
    if m == 1 and instance in known:
        return known[instance]
    return max((v for v in scores if not math.isnan(v)), default=0.0)


def gap(score: float, ref: float) -> float:
    """Gap to the reference in %, as in ``optw_table``: a miss is 100 %, a zero reference 0 %."""
    if math.isnan(score):
        return 100.0
    return 100 * (ref - score) / ref if ref else 0.0


@dataclass
class Line:
    """One compared (instance, m): the reference, each solver's result and gap."""

    pair: Pair
    ref: float
    results: dict[str, Result]
    gaps: dict[str, float]
    known: bool


def compare(runs: list[Run], known: dict[str, float]) -> tuple[list[str], list[Line], list[Pair]]:
    """Merge the runs: solver names, one line per common pair, and the dropped pairs."""
    solvers = check_names(runs)
    pairs, dropped = common_pairs(runs)
    lines = []
    for pair in pairs:
        results = {s: res for r in runs for s, res in r.rows[pair].items()}
        missing = [s for s in solvers if s not in results]
        if missing:
            raise SystemExit(f"{pair[0]}, m = {pair[1]}: no result for {', '.join(missing)}")
        ref = reference(pair, (res.score for res in results.values()), known)
        gaps = {s: gap(results[s].score, ref) for s in solvers}
        is_known = pair[1] == 1 and pair[0] in known
        lines.append(Line(pair, ref, results, gaps, is_known))
    return solvers, lines, dropped


def score_text(score: float) -> str:
    """A score as ``optw_table`` prints it."""
    return "infeasible" if math.isnan(score) else f"{score:g}"


def print_rows(solvers: list[str], lines: list[Line]) -> None:
    """The merged table, in ``optw_table``'s format."""
    print("instance,m,reference," + ",".join(f"{s}_score,{s}_gap%,{s}_s" for s in solvers))
    for ln in lines:
        cells = [ln.pair[0], str(ln.pair[1]), f"{ln.ref:g}"]
        for s in solvers:
            res = ln.results[s]
            cells += [score_text(res.score), f"{ln.gaps[s]:.2f}", f"{res.seconds:.2f}"]
        print(",".join(cells))


def summary(solvers: list[str], lines: list[Line]) -> list[str]:
    """Per m and solver: mean and worst gap, instances, mean seconds, runs above 3 %.

    For m = 1 a second line per solver covers only the instances with a known value.
    """
    out = []
    for m in sorted({ln.pair[1] for ln in lines}):
        groups = [(str(m), [ln for ln in lines if ln.pair[1] == m])]
        if m == 1:
            groups.append(("1 (known optimum)", [ln for ln in groups[0][1] if ln.known]))
        for label, group in groups:
            for s in solvers if group else []:
                g = [ln.gaps[s] for ln in group]
                took = statistics.mean(ln.results[s].seconds for ln in group)
                above = sum(v > ABOVE for v in g)
                out.append(
                    f"# {label},{s},{statistics.mean(g):.2f},{max(g):.2f},{len(g)},"
                    f"{took:.2f},{above}"
                )
    return out


def above(solvers: list[str], lines: list[Line]) -> list[str]:
    """The runs whose gap is above 3 %, by m, then instance order, then solver."""
    out = []
    for ln in sorted(lines, key=lambda ln: ln.pair[1]):
        for s in solvers:
            if ln.gaps[s] > ABOVE:
                out.append(
                    f"# {ln.pair[0]},{ln.pair[1]},{s},{score_text(ln.results[s].score)},"
                    f"{ln.ref:g},{ln.gaps[s]:.2f}"
                )
    return out


def labels(pairs: list[str], files: list[Path]) -> dict[Path, str]:
    """``NAME=FILE`` options as {file: name}; each file must be one of the merged files."""
    named: dict[Path, str] = {}
    for item in pairs:
        name, sep, file = item.partition("=")
        path = Path(file)
        if not sep or not name or path.resolve() not in {f.resolve() for f in files}:
            raise SystemExit(f"--label {item}: expected NAME=FILE with FILE among the files")
        named[path.resolve()] = name
    return named


def main(argv: list[str] | None = None) -> None:
    """Parse options, merge the files and print the table, the summary and the misses."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path, help="outputs of routing.py optw")
    parser.add_argument("--known", type=Path, default=KNOWN, help="one-tour best-known values")
    parser.add_argument(
        "--label",
        action="append",
        default=[],
        metavar="NAME=FILE",
        help="name FILE's solvers <solver>_NAME (repeatable)",
    )
    args = parser.parse_args(argv)
    named = labels(args.label, args.files)
    runs = [read_run(f, named.get(f.resolve(), "")) for f in args.files]
    solvers, lines, dropped = compare(runs, read_known(args.known))
    for run in runs:
        print(f"# {run.path}: {' | '.join(run.titles) or '(no # optw line)'}")
    if dropped:
        print(
            f"# dropped {len(dropped)} (instance, m) not in every file: "
            + ", ".join(f"{i} m={m}" for i, m in dropped)
        )
    print_rows(solvers, lines)
    print("# m,solver,mean gap %,worst gap %,instances,mean seconds,above 3 %")
    print("\n".join(summary(solvers, lines)))
    print("# above 3 %: instance,m,solver,score,reference,gap %")
    print("\n".join(above(solvers, lines)) or "# (none)")


if __name__ == "__main__":
    main()
