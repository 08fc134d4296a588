"""Version 1 of the demo company's settings: the product's recommended defaults, with the
nightly run in ``calendar`` mode (each customer has its regular day; the score adds urgent
extras), which a company created from scratch turns on once its calendars make sense."""

from typing import Any

from app.services.company_defaults import NO_SALE_REASONS, policies, scoring
from app.services.company_defaults import planning as default_planning

__all__ = ["NO_SALE_REASONS", "planning", "policies", "scoring"]


def planning() -> dict[str, Any]:
    """The recommended planning settings, in calendar mode."""
    return {**default_planning(), "nightly_mode": "calendar"}
