"""Re-plan the rest of a day from where the rep stands, and say what changed.

The new day starts at ``now_s`` at the rep's ``current`` position: visited customers are
gone, pinned ones become mandatory stops (like appointments), every other candidate of the
morning's problem competes again for the time left. The working-time limit is what remains
of the original one, and a lunch break not taken yet is kept (taken right away when its
window has passed). The diff against the previous route lists stops kept in order, moved,
added and dropped, so the phone can show the rep what is different.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import timedelta

from optimizer.model import (
    Candidate,
    DayProblem,
    DayRoute,
    DroppedCandidate,
    Location,
    LunchBreak,
    RepDay,
    TimeWindow,
)
from optimizer.routing import solve_day
from optimizer.sequence import LUNCH, route_in_order
from optimizer.travel import TravelProvider, day_locations

# A new order is worth the rep's trouble when it drives this much less (and this share).
NOTICEABLE_DRIVING_S = 10 * 60
NOTICEABLE_DRIVING_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class MovedStop:
    """A stop in both routes whose place in the order changed (0-based positions)."""

    candidate_id: str
    old_position: int
    new_position: int


@dataclass(frozen=True, slots=True)
class RouteDiff:
    """What changed between the rest of the old route and the new one.

    Positions count the stops still to do: the old route without its visited stops, and
    the new route. ``kept`` is the longest run of stops whose relative order did not
    change; ``moved`` are the other stops present in both.
    """

    kept: tuple[str, ...]
    moved: tuple[MovedStop, ...]
    added: tuple[str, ...]
    dropped: tuple[DroppedCandidate, ...]
    pinned: tuple[str, ...]
    visited: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Tell whether the rep has anything new to look at."""
        return bool(self.moved or self.added or self.dropped)


@dataclass(frozen=True, slots=True)
class ReplanGain:
    """What the solver's new order buys over the old order re-timed (what the rep is told)."""

    extra_visits: int
    driving_saved_s: int
    distance_saved_m: int


@dataclass(frozen=True, slots=True)
class Replan:
    """The re-planned rest of the day: the problem solved, its route and the diff.

    ``kept_order`` says the old order was kept (only the times moved); ``gain`` says what
    a new order buys when it was preferred to the old one.
    """

    problem: DayProblem
    route: DayRoute
    diff: RouteDiff
    kept_order: bool = False
    gain: ReplanGain | None = None


def choose_route(kept: DayRoute | None, best: DayRoute) -> tuple[DayRoute, ReplanGain | None]:
    """Keep the old order unless the new one visits more customers or clearly drives less."""
    if kept is None:
        return best, None
    extra = len(best.visited_ids) - len(kept.visited_ids)
    saved = kept.driving_s - best.driving_s
    noticeable = max(NOTICEABLE_DRIVING_S, NOTICEABLE_DRIVING_SHARE * kept.driving_s)
    if extra > 0 or (extra == 0 and saved >= noticeable):
        return best, ReplanGain(extra, saved, kept.total_m - best.total_m)
    return kept, None


def _remaining_order(previous: DayRoute, visited: set[str], lunch_taken: bool) -> list[str]:
    """The old route's stops still to do, lunch marked where it was."""
    out = []
    for stop in previous.stops:
        if stop.kind == "lunch":
            if not lunch_taken:
                out.append(LUNCH)
        elif stop.candidate_id not in visited:
            out.append(str(stop.candidate_id))
    return out


def _lunch_taken(previous: DayRoute, now_s: int) -> bool:
    """Tell whether the previous route's lunch had started by ``now_s``."""
    return any(s.kind == "lunch" and s.start_s <= now_s for s in previous.stops)


def _rest_of_day(
    rep: RepDay, previous: DayRoute, now_s: int, current: Location, lunch_taken: bool
) -> RepDay:
    """Return the rep's remaining day: from here and now, with the working time left."""
    lunch = rep.lunch
    new_lunch: LunchBreak | None = None
    worked = max(0, now_s - previous.departure_s)
    if lunch is not None and lunch_taken:
        worked = max(0, worked - lunch.duration_s)
    elif lunch is not None:
        earliest = max(lunch.earliest_start_s, now_s)
        latest = max(lunch.latest_start_s, earliest)
        new_lunch = LunchBreak(earliest, latest, lunch.duration_s, lunch.location)
    remaining = max(1, rep.max_working_s - worked)
    end_s = max(rep.end_s, now_s + 1)
    if new_lunch is not None and new_lunch.earliest_start_s > end_s:
        new_lunch = None
    return RepDay(current, rep.end, now_s, end_s, remaining, new_lunch)


def _pinned_candidate(cand: Candidate, previous: DayRoute, now_s: int) -> Candidate:
    """Make a pinned candidate mandatory with the one window it is best kept in."""
    if cand.appointment:
        return cand
    planned = next((s.start_s for s in previous.stops if s.candidate_id == cand.id), None)
    usable = [w for w in cand.windows if w.end_s >= now_s] or list(cand.windows[-1:])
    window: TimeWindow | None = None
    if planned is not None:
        window = next((w for w in usable if w.start_s <= planned <= w.end_s), None)
    if window is None:
        window = usable[0] if usable else TimeWindow(now_s, now_s)
    return Candidate(cand.id, cand.location, cand.prize, cand.service_s, (window,), True)


def _lcs(a: list[str], b: list[str]) -> set[str]:
    """Return the ids of a longest common subsequence of two orders."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            if a[i] == b[j]:
                table[i][j] = table[i + 1][j + 1] + 1
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    out, i, j = set(), 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.add(a[i])
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def diff_routes(
    previous: DayRoute,
    new: DayRoute,
    *,
    visited_ids: Collection[str] = (),
    pinned_ids: Collection[str] = (),
) -> RouteDiff:
    """Compare the rest of ``previous`` (visited stops removed) with ``new``."""
    visited = set(visited_ids)
    old = [cid for cid in previous.visited_ids if cid not in visited]
    now = list(new.visited_ids)
    in_order = _lcs(old, now)
    both = set(old) & set(now)
    reasons = {d.candidate_id: d for d in new.dropped}
    return RouteDiff(
        kept=tuple(cid for cid in now if cid in in_order),
        moved=tuple(
            MovedStop(cid, old.index(cid), k)
            for k, cid in enumerate(now)
            if cid in both and cid not in in_order
        ),
        added=tuple(cid for cid in now if cid not in both),
        dropped=tuple(
            reasons.get(cid, DroppedCandidate(cid, "no_time_left"))
            for cid in old
            if cid not in both
        ),
        pinned=tuple(cid for cid in now if cid in set(pinned_ids)),
        visited=tuple(cid for cid in previous.visited_ids if cid in visited),
    )


def replan_rest_of_day(
    problem: DayProblem,
    previous: DayRoute,
    *,
    now_s: int,
    current: Location,
    provider: TravelProvider,
    visited_ids: Collection[str] = (),
    pinned_ids: Collection[str] = (),
    lunch_taken: bool | None = None,
    time_limit: timedelta = timedelta(seconds=0.5),
    seed: int = 0,
    keep_order_unless_gain: bool = False,
    iterations: int | None = None,
) -> Replan:
    """Re-plan the rest of the day from ``current`` at ``now_s``.

    Parameters
    ----------
    problem
        The day as it was planned (rep day and every candidate of the day).
    previous
        The route the rep has been following.
    now_s
        Seconds after midnight now; the new route leaves ``current`` at this time (or
        when the previous route's lunch ends, if it is under way and ``lunch_taken`` is
        None).
    current
        Where the rep is (last GPS fix or check-out).
    provider
        Travel matrices; the new one is asked for at ``now_s``.
    visited_ids
        Candidates already visited today (they are removed).
    pinned_ids
        Candidates that must stay in the new route (ignored when already visited).
    lunch_taken
        Whether lunch is behind the rep; None infers it from ``previous``.
    time_limit, seed, iterations
        Passed to :func:`optimizer.routing.solve_day`.
    keep_order_unless_gain
        Re-time the old order (:func:`optimizer.sequence.route_in_order`) and prefer it
        unless the solver's route visits more customers or clearly drives less
        (:func:`choose_route`).

    Returns
    -------
    Replan
        The problem solved, the new route and its diff against ``previous``.

    Raises
    ------
    ValueError
        When a pinned or visited id is not a candidate of ``problem``.
    """
    known = {c.id for c in problem.candidates}
    unknown = (set(visited_ids) | set(pinned_ids)) - known
    if unknown:
        raise ValueError(f"not candidates of this day: {sorted(unknown)}")
    visited = set(visited_ids)
    pinned = set(pinned_ids) - visited
    taken = _lunch_taken(previous, now_s) if lunch_taken is None else lunch_taken
    if lunch_taken is None:
        # Asked during the planned lunch: the rest of the day starts when lunch ends.
        now_s = max(
            [now_s]
            + [x.departure_s for x in previous.stops if x.kind == "lunch" and x.start_s <= now_s]
        )
    rep = _rest_of_day(problem.rep, previous, now_s, current, taken)
    cands = tuple(
        _pinned_candidate(c, previous, now_s) if c.id in pinned else c
        for c in problem.candidates
        if c.id not in visited
    )
    matrix = provider.matrix(day_locations(rep, cands), depart_s=now_s)
    home_s = matrix.durations_s[0][1]
    if rep.end_s < now_s + home_s or rep.max_working_s < home_s:
        # Past the end of the day: the only plan left is driving home.
        rep = replace(
            rep,
            end_s=max(rep.end_s, now_s + home_s),
            max_working_s=max(rep.max_working_s, home_s, 1),
        )
    new_problem = DayProblem(rep, cands, matrix)
    route = solve_day(new_problem, time_limit=time_limit, seed=seed, iterations=iterations)
    kept_order, gain = False, None
    if keep_order_unless_gain:
        kept = route_in_order(new_problem, _remaining_order(previous, visited, taken))
        route, gain = choose_route(kept, route)
        kept_order = route is kept
    diff = diff_routes(previous, route, visited_ids=visited, pinned_ids=pinned)
    return Replan(new_problem, route, diff, kept_order, gain)
