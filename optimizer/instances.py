"""Readers for the published benchmark formats (OPTW/TOPTW and Solomon VRPTW).

Both keep the file's own numbering: node 0 is the depot, customers are 1..N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from optimizer._core import Core, Tour


@dataclass(frozen=True, slots=True)
class OptwInstance:
    """An orienteering instance: node 0 is the depot, its closing time the tour budget."""

    name: str
    xy: tuple[tuple[float, float], ...]
    service: tuple[float, ...]
    score: tuple[float, ...]
    open: tuple[float, ...]
    close: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class SolomonInstance:
    """A Solomon VRPTW instance: at most ``vehicles`` routes of load at most ``capacity``."""

    name: str
    vehicles: int
    capacity: int
    xy: tuple[tuple[float, float], ...]
    demand: tuple[int, ...]
    ready: tuple[float, ...]
    due: tuple[float, ...]
    service: tuple[float, ...]


def read_optw(path: str | Path) -> OptwInstance:
    """Parse a TOPTW file; ``O`` and ``C`` are the last two tokens of a node line."""
    lines = [ln.split() for ln in Path(path).read_text().splitlines()]
    rows = [ln for ln in lines[2:] if ln]
    if not rows:
        raise ValueError(f"{path}: no node lines")
    xy, service, score, opn, cls = [], [], [], [], []
    for i, tok in enumerate(rows):
        if int(tok[0]) != i:
            raise ValueError(f"{path}: node {tok[0]} out of order")
        xy.append((float(tok[1]), float(tok[2])))
        service.append(float(tok[3]))
        score.append(float(tok[4]))
        opn.append(float(tok[-2]))
        cls.append(float(tok[-1]))
    return OptwInstance(
        Path(path).stem, tuple(xy), tuple(service), tuple(score), tuple(opn), tuple(cls)
    )


def read_solomon(path: str | Path) -> SolomonInstance:
    """Parse a Solomon file by tokens, not columns."""
    tokens = Path(path).read_text().split()
    name = tokens[0]
    at = tokens.index("CAPACITY") + 1
    vehicles, capacity = int(tokens[at]), int(tokens[at + 1])
    at = tokens.index("TIME", tokens.index("SERVICE", at)) + 1
    nums = [float(t) for t in tokens[at:]]
    if len(nums) % 7:
        raise ValueError(f"{path}: node lines must have 7 fields")
    rows = [nums[i : i + 7] for i in range(0, len(nums), 7)]
    return SolomonInstance(
        name,
        vehicles,
        capacity,
        tuple((r[1], r[2]) for r in rows),
        tuple(int(r[3]) for r in rows),
        tuple(r[4] for r in rows),
        tuple(r[5] for r in rows),
        tuple(r[6] for r in rows),
    )


def euclid(xy: tuple[tuple[float, float], ...]) -> np.ndarray:
    """Return the double-precision Euclidean distance matrix."""
    pts = np.array(xy, dtype=np.float64)
    diff = pts[:, None, :] - pts[None, :, :]
    dist: np.ndarray = np.sqrt((diff**2).sum(axis=2))
    return dist


def truncated_units(xy: tuple[tuple[float, float], ...], decimals: int) -> np.ndarray:
    """Return distances truncated to ``decimals`` and scaled to integers (1 = 10**-decimals)."""
    scale = 10**decimals
    units: np.ndarray = np.floor(euclid(xy) * scale + 1e-7).astype(np.int64)
    return units


def optw_core(inst: OptwInstance, tours: int, decimals: int = 1) -> Core:
    """Build the search model: depot as node 0 (start) and an end copy as the last node."""
    scale = 10**decimals
    n = len(inst.xy)
    base = truncated_units(inst.xy, decimals)
    travel = np.zeros((n + 1, n + 1), dtype=np.int64)
    travel[:n, :n] = base
    travel[n, :n] = base[0]
    travel[:n, n] = base[:, 0]

    def units(values: tuple[float, ...]) -> np.ndarray:
        return np.array(
            [math.floor(v * scale + 1e-7) for v in (*values, values[0])], dtype=np.int64
        )

    close = units(inst.close)
    tmax = int(close[0])
    return Core(
        travel=travel,
        open=units(inst.open),
        close=close,
        service=units(inst.service),
        prize=np.array([*inst.score, 0.0], dtype=np.float64),
        group=np.full(n + 1, -1, dtype=np.int64),
        mandatory=frozenset(),
        customers=tuple(range(1, n)),
        tours=tuple(Tour(0, n, int(units(inst.open)[0]), tmax) for _ in range(tours)),
    )
