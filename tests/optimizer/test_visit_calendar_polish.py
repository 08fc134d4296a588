"""Tests for a calendar round's start: the LP rounding, the single-customer moves and the hint
CP-SAT is given (its first solution is the start itself, priced exactly)."""

from __future__ import annotations

import random
from dataclasses import replace

from optimizer._ortools.calendar import (
    AssignmentInput,
    Choice,
    relaxed_picks,
    solve_assignment,
)
from optimizer.visit_calendar.polish import day_totals, objective, polish, start

DAYS = 6


def round_input(seed: int, customers: int = 40, room_s: int = 4 * 3600) -> AssignmentInput:
    """Return a random round: each customer one or two slots of ``DAYS`` days, 10-25 min."""
    rng = random.Random(seed)
    choices, loads, scaled, hint = [], [], [], []
    for _ in range(customers):
        width = rng.choice((1, 1, 2))
        row = []
        for _ in range(rng.randint(2, 4)):
            days = tuple(sorted(rng.sample(range(DAYS), width)))
            row.append(Choice(days, rng.randint(0, 5000)))
        choices.append(tuple(row))
        service = rng.choice((600, 900, 1200, 1500))
        loads.append((service,) * DAYS)
        scaled.append(tuple(service + rng.randint(0, 300) for _ in range(DAYS)))
        hint.append(0)
    total = sum(row[0] for row in scaled) * 1.3 / DAYS
    return AssignmentInput(
        choices=tuple(choices),
        load_s=tuple(loads),
        scaled_load=tuple(scaled),
        room_s=(room_s,) * DAYS,
        fixed_scaled=tuple(rng.randint(0, 1800) for _ in range(DAYS)),
        balance_weight=10,
        band=(round(total - 600), round(total + 600)),
        band_weight=100,
        hint=tuple(hint),
        time_limit_s=0.5,
        workers=1,
        seed=0,
        deterministic=True,
    )


def fits(data: AssignmentInput, picks: tuple[int | None, ...]) -> bool:
    """Tell whether every day of ``picks`` stays within its room."""
    _, load = day_totals(data, picks)
    return all(v <= room for v, room in zip(load, data.room_s, strict=True))


def test_polish_never_worsens_the_hint_and_keeps_every_day_within_its_room() -> None:
    """Tests that single-customer moves only lower the objective and respect capacity."""
    for seed in range(8):
        data = round_input(seed)
        if not fits(data, data.hint):
            continue
        picks = polish(data)
        assert None not in picks
        assert fits(data, picks)
        assert objective(data, picks) <= objective(data, data.hint)
        assert all(
            k is not None and 0 <= k < len(row) for k, row in zip(picks, data.choices, strict=True)
        )


def test_polish_moves_a_customer_off_an_overloaded_day() -> None:
    """Tests that a hint with every customer on one day is spread when the cost allows."""
    row = (Choice((0,), 0), Choice((1,), 10))
    data = AssignmentInput(
        choices=(row,) * 4,
        load_s=((600, 600),) * 4,
        scaled_load=((600, 600),) * 4,
        room_s=(3600, 3600),
        fixed_scaled=(0, 0),
        balance_weight=10,
        band=(1200, 1200),
        band_weight=100,
        hint=(0, 0, 0, 0),
        time_limit_s=0.5,
        workers=1,
        seed=0,
        deterministic=True,
    )
    picks = polish(data)
    assert picks.count(0) == 2
    assert picks.count(1) == 2
    assert objective(data, picks) == 20  # two customers on their dearer day, days even


def test_lp_rounding_gives_a_valid_choice_per_customer_and_start_keeps_the_better() -> None:
    """Tests the relaxation's rounding and that the start is no worse than the polished hint."""
    for seed in range(4):
        data = round_input(seed, customers=60, room_s=8 * 3600)
        rounded = relaxed_picks(data)
        assert rounded is not None
        assert all(0 <= k < len(row) for k, row in zip(rounded, data.choices, strict=True))
        begun = start(data)
        assert fits(data, begun)
        assert objective(data, begun) <= objective(data, polish(data))


def test_cp_sat_starts_from_the_hint_at_its_own_price() -> None:
    """Tests that CP-SAT's answer is never worse than the complete hint it was given.

    Only the choices used to be hinted: CP-SAT filled the balance variables with slack and
    reported a first solution dearer than the hint, which one worker then kept.
    """
    for seed in range(4):
        data = round_input(seed, customers=60, room_s=8 * 3600)
        data = replace(data, hint=polish(data), time_limit_s=0.01)
        out = solve_assignment(data)
        assert out.picked
        assert out.objective <= objective(data, data.hint)
        assert out.objective == objective(data, out.picked)
        assert out.best_bound <= out.objective
