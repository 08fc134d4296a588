"""The seat's rules: the company's telesales settings and what counts as a contact."""

from __future__ import annotations

from app.models import Outcome
from app.services import company_settings

EFFECTIVE = (
    Outcome.ORDER,
    Outcome.NO_SALE,
    Outcome.COLLECTED,
    Outcome.CALLBACK,
    Outcome.VISIT_REQUESTED,
)
HISTORY_DAYS = 60


def push_enabled(company_id: int) -> bool:
    """Tell whether skipped field visits go to the team's telesales list."""
    return company_settings.get(company_id=company_id).planning.telesales_push_skipped


def daily_calls(company_id: int) -> int:
    """How many not-yet-called customers a seat's list shows per day (planning settings)."""
    return company_settings.get(company_id=company_id).planning.telesales_daily_calls


def reactivation_calls(company_id: int) -> int:
    """How many rescue cases of the team's field portfolios a seat gets per day."""
    return company_settings.get(company_id=company_id).planning.reactivation_daily_calls


def reactivation_retry_days(company_id: int) -> int:
    """Days before a rescue case contacted without success is offered to a seat again."""
    return company_settings.get(company_id=company_id).planning.reactivation_retry_days


def no_sale_reasons(company_id: int, locale: str = "pt_BR") -> list[tuple[str, str]]:
    """The company's no-sale reasons as (key, label) in the user's language."""
    return company_settings.get(company_id=company_id).no_sale_reasons(locale)
