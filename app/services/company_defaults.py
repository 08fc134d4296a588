"""The product's recommended settings: version 1 of every new company's settings.

`flask company create` and the demo loader both start a company from these, so a
company created from scratch scores, plans and records no-sale reasons exactly like
the demo does until an admin tunes it.
"""

from __future__ import annotations

from typing import Any

from optimizer.scoring import ScoringSettings

NO_SALE_REASONS: tuple[dict[str, str], ...] = (
    {"key": "estoque_cheio", "label": "Estoque cheio", "label_en": "Fully stocked"},
    {"key": "sem_dinheiro", "label": "Sem dinheiro", "label_en": "No money"},
    {"key": "preco", "label": "Preço", "label_en": "Price"},
    {"key": "comprador_ausente", "label": "Comprador ausente", "label_en": "Buyer absent"},
    {
        "key": "concorrencia",
        "label": "Comprou da concorrência",
        "label_en": "Bought from a competitor",
    },
    {"key": "credito_bloqueado", "label": "Crédito bloqueado", "label_en": "Credit blocked"},
    {"key": "outro", "label": "Outro motivo", "label_en": "Other reason"},
)


def policies() -> dict[str, Any]:
    """Collection policy and overdue tolerance."""
    return {"collection_policy": "collect_only", "overdue_tolerance_days": 5}


def planning() -> dict[str, Any]:
    """Nightly planning defaults."""
    return {
        "nightly_time": "02:00",
        "plan_horizon_days": 5,
        "check_in_radius_m": 300,
        "lead_time_days": 1,
        "no_sale_reasons": [dict(r) for r in NO_SALE_REASONS],
        "osrm_url": None,
        "telesales_push_skipped": True,
        # Days of score snapshots kept with their explanations; older ones keep only the
        # numbers dashboards need (app/services/score_retention.py).
        "snapshot_full_days": 90,
    }


def new_settings_row(
    *, company_id: int, note: str, created_at: Any = None, created_by_id: int | None = None
) -> Any:
    """Return version 1 of a company's settings built from these defaults (not added)."""
    from app.models import CompanySettings

    row = CompanySettings(
        company_id=company_id,
        version=1,
        scoring=scoring(),
        planning=planning(),
        policies=policies(),
        note=note,
        created_by_id=created_by_id,
    )
    if created_at is not None:
        row.created_at = created_at
    return row


def scoring() -> dict[str, Any]:
    """The scoring engine's defaults, agreeing with the policies and planning above."""
    return ScoringSettings(
        collection_policy=policies()["collection_policy"],
        overdue_tolerance_days=float(policies()["overdue_tolerance_days"]),
        lead_time_days=planning()["lead_time_days"],
    ).to_dict()
