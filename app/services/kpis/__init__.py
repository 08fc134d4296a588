"""The supervisor's KPIs, each defined once (see docs/kpis.md), with set-based queries.

One pass loads a few grouped facts per customer of the filtered base; every figure derives
from those facts, so every number agrees with the list of customers behind it. By subject:

- :mod:`.facts`: the filter, each customer's facts and the queries that load them;
- :mod:`.metrics`: coverage, activation, retention, risk, map statuses and trends;
- :mod:`.activity`: plan versus done, no-sale reasons and the customers behind them;
- :mod:`.lists`: the customers behind a dashboard figure;
- :mod:`.lost`: customers marked lost in the period, counted apart from the base;
- :mod:`.months`: coverage and positivação facts at the end of several closed months;
- :mod:`.dashboard`: every figure of the dashboard, and the latest planning runs.
"""

from app.services.kpis.activity import (
    DayRow,
    contact_customer_ids,
    list_zones,
    no_sale_reasons,
    plan_vs_done,
)
from app.services.kpis.dashboard import Dashboard, RunRow, build_dashboard, latest_runs
from app.services.kpis.facts import (
    ACTIVE_WINDOW_DAYS,
    AT_RISK_BELOW,
    DEFAULT_CYCLE_DAYS,
    EFFECTIVE_OUTCOMES,
    FLAG_GAP,
    FLAG_LAPSE,
    FLAG_RESCUE,
    STATUSES,
    TREND_WEEKS,
    CustomerFacts,
    KpiFilter,
    latest_score_date,
    load_facts,
    month_windows,
    week_ends,
)
from app.services.kpis.lists import CONTACT_LISTS, FACT_LISTS, ListRow, customer_list
from app.services.kpis.lost import LostCustomers, lost_customers
from app.services.kpis.metrics import (
    Activation,
    Coverage,
    Retention,
    Risk,
    TrendPoint,
    activation,
    coverage_by_owner,
    coverage_total,
    group_counts,
    owner_names,
    retention,
    risk,
    status_counts,
    trends,
)
from app.services.kpis.months import facts_by_month

__all__ = [
    "ACTIVE_WINDOW_DAYS",
    "AT_RISK_BELOW",
    "CONTACT_LISTS",
    "DEFAULT_CYCLE_DAYS",
    "EFFECTIVE_OUTCOMES",
    "FACT_LISTS",
    "FLAG_GAP",
    "FLAG_LAPSE",
    "FLAG_RESCUE",
    "STATUSES",
    "TREND_WEEKS",
    "Activation",
    "Coverage",
    "CustomerFacts",
    "Dashboard",
    "DayRow",
    "KpiFilter",
    "ListRow",
    "LostCustomers",
    "Retention",
    "Risk",
    "RunRow",
    "TrendPoint",
    "activation",
    "build_dashboard",
    "contact_customer_ids",
    "coverage_by_owner",
    "coverage_total",
    "customer_list",
    "facts_by_month",
    "group_counts",
    "latest_runs",
    "latest_score_date",
    "list_zones",
    "load_facts",
    "lost_customers",
    "month_windows",
    "no_sale_reasons",
    "owner_names",
    "plan_vs_done",
    "retention",
    "risk",
    "status_counts",
    "trends",
    "week_ends",
]
