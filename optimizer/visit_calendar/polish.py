"""Improve a round's starting calendar by moving one customer at a time, before CP-SAT.

Each round of the calendar re-prices the days (centres move, each day's driving is routed
again), so the previous round's calendar, handed to CP-SAT as its hint, is often far from
balanced under the new prices: on a sprawling territory the hint of a calibrated round lay
hundreds of minutes outside the balance band, and CP-SAT spent its whole budget (or, with
one deterministic worker, all of it) without leaving that first solution. Moving single
customers to their best other slot fixes most of it in milliseconds; CP-SAT then starts from
a calendar close to the round's optimum and spends its time on the rest and on the bound.

Only the start changes: the model, its objective and its bound are CP-SAT's own, so the gap
reported is the same (objective - bound) / objective of the same model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from optimizer._ortools.calendar import AssignmentInput, relaxed_picks

MAX_PASSES = 30  # each pass tries every customer once; passes stop when none improves


def day_totals(data: AssignmentInput, picks: Sequence[int | None]) -> tuple[list[int], list[int]]:
    """Return each day's scaled load (what balance sees) and its load (what capacity sees);
    a customer without a pick adds nothing."""
    scaled = list(data.fixed_scaled)
    load = [0] * len(data.room_s)
    for i, k in enumerate(picks):
        if k is None:
            continue
        for d in data.choices[i][k].days:
            scaled[d] += data.scaled_load[i][d]
            load[d] += data.load_s[i][d]
    return scaled, load


def objective(data: AssignmentInput, picks: Sequence[int | None]) -> int:
    """Return the round's objective for complete picks, exactly as the CP-SAT model prices it."""
    if any(k is None for k in picks):
        raise ValueError("every customer needs a pick")
    scaled, _ = day_totals(data, picks)
    cost = sum(data.choices[i][k].cost for i, k in enumerate(picks) if k is not None)
    return cost + _balance(data, scaled)


def _balance(data: AssignmentInput, scaled: Sequence[int]) -> int:
    """Return the balance part of the objective: band penalties plus the spread."""
    low, high = data.band
    outside = sum(max(0, v - high) + max(0, low - v) for v in scaled)
    spread = max(scaled) - min(scaled) if scaled else 0
    return data.band_weight * outside + data.balance_weight * spread


def start(data: AssignmentInput, *, relax: bool = True) -> tuple[int | None, ...]:
    """Return the round's starting calendar: the better of the polished hint and, when
    ``relax``, the polished rounding of the LP relaxation (if that rounding fits every day's
    room)."""
    best = polish(data)
    if not relax:
        return best
    score = objective(data, best) if None not in best else None
    rounded = relaxed_picks(data)
    if rounded is None:
        return best
    _, load = day_totals(data, rounded)
    if any(v > room for v, room in zip(load, data.room_s, strict=True)):
        return best
    other = polish(replace(data, hint=rounded))
    value = objective(data, other)
    if score is None or value < score:
        return other
    return best


def polish(data: AssignmentInput) -> tuple[int | None, ...]:
    """Return the hint improved by single-customer moves (best move per customer, repeated).

    A move is taken only when it lowers the round's objective and keeps every day within
    its room, so the result is a feasible calendar at least as good as the hint. A hint with
    a customer missing (the greedy start found no room for it) is returned unchanged.
    """
    if any(k is None for k in data.hint) or not data.room_s:
        return data.hint
    picks = [k for k in data.hint if k is not None]
    scaled, load = day_totals(data, picks)
    current = _balance(data, scaled)
    for _ in range(MAX_PASSES):
        improved = False
        for i, row in enumerate(data.choices):
            here = row[picks[i]]
            best = (0, -1, current)  # (saving, choice, balance after)
            for k, there in enumerate(row):
                if k == picks[i]:
                    continue
                if any(
                    load[d] + data.load_s[i][d] > data.room_s[d]
                    for d in there.days
                    if d not in here.days
                ):
                    continue
                _shift(data, scaled, i, here.days, there.days)
                balance = _balance(data, scaled)
                _shift(data, scaled, i, there.days, here.days)
                saving = current - balance + here.cost - there.cost
                if saving > best[0]:
                    best = (saving, k, balance)
            if best[1] < 0:
                continue
            there = row[best[1]]
            _shift(data, scaled, i, here.days, there.days)
            for d in here.days:
                load[d] -= data.load_s[i][d]
            for d in there.days:
                load[d] += data.load_s[i][d]
            picks[i], current, improved = best[1], best[2], True
        if not improved:
            break
    return tuple(picks)


def _shift(
    data: AssignmentInput,
    scaled: list[int],
    i: int,
    source: tuple[int, ...],
    target: tuple[int, ...],
) -> None:
    """Move customer ``i``'s scaled load from the days ``source`` to the days ``target``."""
    for d in source:
        scaled[d] -= data.scaled_load[i][d]
    for d in target:
        scaled[d] += data.scaled_load[i][d]
