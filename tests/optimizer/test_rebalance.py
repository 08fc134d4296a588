"""The rebalancing model: properties on random small teams (hypothesis) and two plain cases."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.model import Location
from optimizer.rebalance import (
    BalanceCustomer,
    BalanceRep,
    BalanceResult,
    BalanceSettings,
    centre_of,
    customer_minutes,
    deviation,
    rebalance,
)

FAST = BalanceSettings(max_moves=6, time_limit_s=2.0, workers=1)


def _team(
    loads: list[int], *, per_rep: int = 6, spacing: float = 0.03
) -> tuple[list[BalanceCustomer], list[BalanceRep]]:
    """Reps in a row, each with ``loads[i]`` weekly customers scattered around its centre."""
    reps, customers = [], []
    for r, count in enumerate(loads):
        centre = Location(-23.5, -46.6 + spacing * r)
        reps.append(
            BalanceRep(r + 1, centre, available_min=per_rep * 4 * 40, travel_min_per_visit=10)
        )
        for k in range(count):
            offset = (k % 5 - 2) * 0.004
            customers.append(
                BalanceCustomer(
                    (r + 1) * 100 + k,
                    r + 1,
                    Location(centre.lat + offset, centre.lon + (k % 3 - 1) * 0.006),
                    visits=4,
                    service_min=30,
                )
            )
    return customers, reps


def test_overloaded_rep_gives_border_customers_to_its_neighbour() -> None:
    customers, reps = _team([10, 2])
    result = rebalance(customers, reps, FAST)
    assert result.moves
    assert {(m.from_rep, m.to_rep) for m in result.moves} == {(1, 2)}
    assert result.max_load(after=True) < result.max_load(after=False)
    assert result.spread(after=True) < result.spread(after=False)
    # The customers given are the ones nearest the neighbour (east side of rep 1's territory).
    by_id = {c.id: c for c in customers}
    moved_lon = min(by_id[m.customer_id].location.lon for m in result.moves)  # type: ignore[union-attr]
    kept_lon = max(
        c.location.lon  # type: ignore[union-attr]
        for c in customers
        if c.owner == 1 and c.id not in {m.customer_id for m in result.moves}
    )
    assert moved_lon >= kept_lon


def test_pinned_and_far_customers_stay_and_balanced_team_is_left_alone() -> None:
    customers, reps = _team([10, 2])
    pinned = [
        BalanceCustomer(c.id, c.owner, c.location, c.visits, c.service_min, pinned=True)
        for c in customers
    ]
    assert rebalance(pinned, reps, FAST).moves == ()
    far = BalanceSettings(max_moves=6, time_limit_s=2.0, max_extra_km=-50)
    assert rebalance(customers, reps, far).moves == ()
    even, reps = _team([5, 5])
    assert rebalance(even, reps, FAST).moves == ()


def test_only_neighbouring_portfolios_exchange() -> None:
    customers, reps = _team([12, 6, 6, 6, 0], spacing=0.1)
    result = rebalance(customers, reps, BalanceSettings(max_moves=8, neighbours=1, time_limit_s=2))
    assert result.moves
    assert all(abs(m.from_rep - m.to_rep) == 1 for m in result.moves)


@st.composite
def teams(draw: st.DrawFn) -> tuple[list[BalanceCustomer], list[BalanceRep], BalanceSettings]:
    n = draw(st.integers(2, 4))
    reps = [
        BalanceRep(
            r,
            draw(st.none() | st.just(Location(-23.5 + 0.02 * r, -46.6 + draw(st.floats(0, 0.1))))),
            draw(st.sampled_from([0.0, 600.0, 2400.0, 4800.0])),
            draw(st.sampled_from([0.0, 8.0, 25.0])),
        )
        for r in range(n)
    ]
    customers = []
    for i in range(draw(st.integers(0, 14))):
        has_position = draw(st.booleans()) or i % 3 != 0
        customers.append(
            BalanceCustomer(
                i,
                draw(st.integers(0, n - 1)),
                Location(-23.5 + draw(st.floats(-0.05, 0.1)), -46.6 + draw(st.floats(-0.05, 0.15)))
                if has_position
                else None,
                draw(st.sampled_from([1.0, 2.0, 4.0, 20.0])),
                draw(st.sampled_from([10.0, 30.0, 90.0])),
                pinned=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    options = BalanceSettings(
        max_moves=draw(st.integers(0, 5)),
        neighbours=draw(st.integers(1, 3)),
        max_extra_km=draw(st.sampled_from([0.0, 5.0, 30.0])),
        time_limit_s=1.0,
        search=draw(st.booleans()),  # the greedy start alone must keep the promises too
    )
    return customers, reps, options


def _check(result: BalanceResult, customers: list[BalanceCustomer], reps: list[BalanceRep]) -> None:
    by_id = {c.id: c for c in customers}
    rep_by_id = {r.id: r for r in reps}
    after = {r.id: sum(customer_minutes(c, r) for c in customers if c.owner == r.id) for r in reps}
    for move in result.moves:
        customer = by_id[move.customer_id]
        assert customer.owner == move.from_rep != move.to_rep
        assert not customer.pinned
        assert customer.location is not None
        giver, receiver = rep_by_id[move.from_rep], rep_by_id[move.to_rep]
        assert giver.available_min > 0
        assert receiver.available_min > 0
        after[giver.id] -= customer_minutes(customer, giver)
        after[receiver.id] += customer_minutes(customer, receiver)
    for load in result.loads:
        assert abs(load.after_min - after[load.rep_id]) < 1e-6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(teams())
def test_properties_feasible_bounded_never_worse(
    team: tuple[list[BalanceCustomer], list[BalanceRep], BalanceSettings],
) -> None:
    customers, reps, options = team
    result = rebalance(customers, reps, options)
    assert len(result.moves) <= options.max_moves
    assert len({m.customer_id for m in result.moves}) == len(result.moves)
    _check(result, customers, reps)
    assert result.max_load(after=True) <= result.max_load(after=False) + 1e-9
    assert deviation(result.loads, after=True) <= deviation(result.loads, after=False) + 1e-9
    for move in result.moves:
        assert move.km_effect <= options.max_extra_km + 1e-6


def test_centre_is_the_mean_position_or_the_fallback() -> None:
    base = Location(-23.0, -46.0)
    assert centre_of([], base) == base
    centre = centre_of([Location(-23.0, -46.0), Location(-24.0, -47.0)])
    assert centre == Location(-23.5, -46.5)
