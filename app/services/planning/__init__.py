"""Plan a rep's day, the week agenda after it, and re-plan the rest of a day under way.

The same three steps serve the nightly pipeline, the ``flask plan`` command and the rep's
"Replanejar" button: :func:`prepare_rep` reads the database into a pure
:class:`~app.jobs.work.RepWork`, :func:`app.jobs.work.solve` solves it (here, in a local
process or on a Celery worker), :func:`write_result` stores plans. Services flush, never commit.

One module per job:

- :mod:`.candidates`: the company's facts and the week agenda's customers;
- :mod:`.days`: the dates a run plans (next working day, the week agenda's days);
- :mod:`.prepare`: a rep's pure unit of work for the solver;
- :mod:`.write`: storing solved plans, dropping unstarted ones;
- :mod:`.replan`: re-planning the rest of a day under way.
"""

from app.services.planning.candidates import CompanyFacts, company_facts, week_customers
from app.services.planning.days import next_working_day, week_work
from app.services.planning.prepare import Prepared, planned_reps, prepare_rep
from app.services.planning.replan import (
    ReplanOutcome,
    ReplanProposal,
    apply_replan,
    propose_replan,
    replan_rest_of_day,
)
from app.services.planning.write import (
    RepOutcome,
    discard_unstarted_plans,
    plan_rep,
    write_result,
)

__all__ = [
    "CompanyFacts",
    "Prepared",
    "RepOutcome",
    "ReplanOutcome",
    "ReplanProposal",
    "apply_replan",
    "company_facts",
    "discard_unstarted_plans",
    "next_working_day",
    "plan_rep",
    "planned_reps",
    "prepare_rep",
    "propose_replan",
    "replan_rest_of_day",
    "week_customers",
    "week_work",
    "write_result",
]
