"""Cover an absent rep's day: propose who takes the must-do visits, edit, apply (audited).

The must-do visits of the absent rep's day are what the planner would have put first that day
(:func:`app.services.routing.build_candidates`): the appointments, the collection visits, the
rescue cases meant for the field, and the ``urgent_count`` best others by score. The
receiving days are those of the other active field reps in the supervisor's scope who work
that day, with the stops already on their plan (a day under way: from where the rep is, now,
with the stops still to do). :func:`optimizer.absence_cover.solve_cover` places them; what no
rep takes goes to the team's telesales seats when it can be handled by phone.

A proposal is stored (``AbsenceCover`` and its lines) so the supervisor can read it, take a
line out or give it to someone else (the solve runs again following every such edit), and
apply it once: each receiving rep's plan gets the route shown (refused when the plan changed
since), moved appointments change hands, and the telesales list reads the applied calls.
Services flush, never commit.

One module per step: ``absent`` (who is away), ``must_do`` (the visits that cannot wait),
``receivers`` (the receiving days), ``solve`` (the solver's answer stored on the lines),
``proposal`` (propose, edit a line, set aside), ``apply``, ``time_off`` (what a change of time
off does to the covers), ``records`` (reading a cover, the audit rows), ``limits`` (the knobs'
bounds and the error).
"""

from app.services.absence_cover.absent import AbsentDay, absent_days, is_absent
from app.services.absence_cover.apply import apply
from app.services.absence_cover.limits import (
    CALLS_PER_SEAT_DEFAULT,
    MAX_ADDED_DEFAULT,
    MAX_ADDED_MAX,
    PHONE_MAX,
    SOLVE_SECONDS,
    URGENT_DEFAULT,
    URGENT_MAX,
    CoverError,
)
from app.services.absence_cover.must_do import MustDo, must_do_visits
from app.services.absence_cover.proposal import default_phone_capacity, discard, edit_line, propose
from app.services.absence_cover.receivers import Receiver, receiving_reps
from app.services.absence_cover.records import get_cover, today
from app.services.absence_cover.solve import solve
from app.services.absence_cover.time_off import release_days

__all__ = [
    "CALLS_PER_SEAT_DEFAULT",
    "MAX_ADDED_DEFAULT",
    "MAX_ADDED_MAX",
    "PHONE_MAX",
    "SOLVE_SECONDS",
    "URGENT_DEFAULT",
    "URGENT_MAX",
    "AbsentDay",
    "CoverError",
    "MustDo",
    "Receiver",
    "absent_days",
    "apply",
    "default_phone_capacity",
    "discard",
    "edit_line",
    "get_cover",
    "is_absent",
    "must_do_visits",
    "propose",
    "receiving_reps",
    "release_days",
    "solve",
    "today",
]
