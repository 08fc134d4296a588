"""Flat-earth geometry for the calendar: kilometres on a local plane, centres, leg estimates.

A rep's portfolio spans tens of kilometres, where an equirectangular projection is within a
fraction of a percent of the geodesic; the calendar only needs distances to rank days.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from optimizer.model import Location

KM_PER_DEG_LAT = 110.57
KM_PER_DEG_LON_EQUATOR = 111.32
FloatArray = npt.NDArray[np.float64]


def project(points: Sequence[Location], origin: Location) -> FloatArray:
    """Return an (n, 2) array of east/north kilometres from ``origin``."""
    lat = np.array([p.lat for p in points], dtype=np.float64)
    lon = np.array([p.lon for p in points], dtype=np.float64)
    kx = KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(origin.lat))
    return np.column_stack(((lon - origin.lon) * kx, (lat - origin.lat) * KM_PER_DEG_LAT))


def unproject(xy: FloatArray, origin: Location) -> Location:
    """Return the location of one planar point."""
    kx = KM_PER_DEG_LON_EQUATOR * math.cos(math.radians(origin.lat))
    return Location(float(origin.lat + xy[1] / KM_PER_DEG_LAT), float(origin.lon + xy[0] / kx))


def typical_leg_km(xy: FloatArray) -> float:
    """Return the expected leg between consecutive visits of a compact day, in km.

    A compact day holds points at the portfolio's own density, where a good route spends
    about 0.71·√(A/n) per point and the mean distance to the two nearest neighbours is about
    0.625·√(A/n) (Beardwood-Halton-Hammersley), hence 1.14 × that distance.
    """
    n = len(xy)
    if n < 2:
        return 0.0
    diff = xy[:, None, :] - xy[None, :, :]
    dist = np.sqrt((diff**2).sum(axis=2))
    np.fill_diagonal(dist, np.inf)
    k = min(2, n - 1)
    near = np.sort(dist, axis=1)[:, :k].mean(axis=1)
    return float(1.14 * near.mean())


def sweep_centres(xy: FloatArray, weights: FloatArray, shares: Sequence[float]) -> FloatArray:
    """Cut the points by angle around their weighted centroid into consecutive sectors.

    Sector ``k`` gets about ``shares[k]`` of the total weight; the cut starts at the widest
    empty angle so no sector straddles the portfolio's gap. Returns each sector's weighted
    centroid (the global centroid for a sector left empty).
    """
    total = float(weights.sum())
    centroid = (xy * weights[:, None]).sum(axis=0) / max(total, 1e-9)
    angle = np.arctan2(xy[:, 1] - centroid[1], xy[:, 0] - centroid[0])
    order = np.lexsort((np.arange(len(xy)), angle))
    sorted_angle = angle[order]
    gaps = np.diff(np.concatenate([sorted_angle, sorted_angle[:1] + 2 * math.pi]))
    start = (int(np.argmax(gaps)) + 1) % len(order)
    order = np.concatenate([order[start:], order[:start]])
    bounds = np.cumsum(np.asarray(shares, dtype=np.float64))
    bounds = bounds / bounds[-1] * total
    centres = np.tile(centroid, (len(shares), 1))
    acc = 0.0
    members: list[list[int]] = [[] for _ in shares]
    for i in order:
        mid = acc + weights[i] / 2
        acc += float(weights[i])
        k = int(min(np.searchsorted(bounds, mid, side="right"), len(shares) - 1))
        members[k].append(int(i))
    for k, idx in enumerate(members):
        if idx:
            w = weights[idx]
            centres[k] = (xy[idx] * w[:, None]).sum(axis=0) / max(float(w.sum()), 1e-9)
    return centres
