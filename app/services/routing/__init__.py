"""The one adapter between ORM rows and the optimiser's dataclasses.

Rows in: a rep's ``WorkProfile`` becomes a :class:`RepDay`, customers with the day's score
become :class:`Candidate` objects, ``Appointment`` rows become appointment candidates.
Dataclasses out: a :class:`DayRoute` becomes a ``Plan`` with its ``PlanStop`` rows.

One module per job:

- :mod:`.config`: the company's planning knobs and :class:`PlanningError`;
- :mod:`.times`: a rep's working day and customers' opening windows, in seconds;
- :mod:`.facts`: what planning reads of the database (scores, customers, carry-overs);
- :mod:`.candidates`: the day's candidates for the solver, policies applied;
- :mod:`.plans`: routes written into plans, and plans read back into routes.
"""

from app.services.routing.candidates import build_candidates, day_problem, in_field, policy_prize
from app.services.routing.config import PlanningConfig, PlanningError, load_config
from app.services.routing.facts import (
    FACT_COLUMNS,
    CandidateInfo,
    CandidateSet,
    CustomerFacts,
    ScoreFacts,
    appointments_for,
    covered_customers,
    field_customers,
    scores_for,
    visit_requests,
)
from app.services.routing.plans import (
    fill_plan,
    get_or_new_plan,
    is_locked,
    route_from_plan,
    set_totals,
    stop_rows,
)
from app.services.routing.times import (
    opening_intervals,
    rep_day,
    seconds_of,
    service_windows,
    week_intervals,
)

__all__ = [
    "FACT_COLUMNS",
    "CandidateInfo",
    "CandidateSet",
    "CustomerFacts",
    "PlanningConfig",
    "PlanningError",
    "ScoreFacts",
    "appointments_for",
    "build_candidates",
    "covered_customers",
    "day_problem",
    "field_customers",
    "fill_plan",
    "get_or_new_plan",
    "in_field",
    "is_locked",
    "load_config",
    "opening_intervals",
    "policy_prize",
    "rep_day",
    "route_from_plan",
    "scores_for",
    "seconds_of",
    "service_windows",
    "set_totals",
    "stop_rows",
    "visit_requests",
    "week_intervals",
]
