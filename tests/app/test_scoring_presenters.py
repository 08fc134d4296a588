"""Every reason key and flag bit the engine produces has words in pt-BR and English."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask_babel import force_locale

import optimizer.scoring as engine
from app.presenters import component_items, flag_labels, render_details, render_reasons
from app.presenters_scoring import COMPONENT_LABELS, FLAGS, REASONS, render_reason

ENGINE_DIR = Path(engine.__file__).resolve().parent

SAMPLES = {
    "days_without_purchase": {"days": 32, "cycle": 14},
    "purchase_lapse": {"days": 32, "cycle": 14, "lapse_risk": 40},
    "rescue": {"days": 120, "cycle": 14, "cycles": 8.6},
    "no_purchase_history": {},
    "overdue_collect": {"amount": 820.0, "days": 12, "policy": "collect_only"},
    "credit_blocked": {"available": 150.0, "ticket": 640.5},
    "visit_overdue": {"days": 21, "frequency": 14},
    "new_customer": {"days": 10},
    "high_value": {"ticket": 1808.73, "share_pct": 2.5},
    "next_delivery": {"days": 2},
    "stopped_buying_category": {"category": "Bebidas", "days": 40},
    "value_at_stake": {"at_stake": 742.5, "monthly": 1237.5, "lapse_risk": 60, "ticket": 605.5},
}

PT = {
    "days_without_purchase": "32 dias sem comprar; costuma comprar a cada 14 dias",
    "overdue_collect": "R$\xa0820,00 vencidos há 12 dias — cobrar",
    "stopped_buying_category": "Parou de comprar Bebidas (última vez há 40 dias)",
    "visit_overdue": "Sem visita ou ligação há 21 dias; frequência: a cada 14 dias",
    "rescue": "Sem comprar há 120 dias (8,6× o ciclo de 14 dias): resgatar",
}


def engine_reason_keys() -> set[str]:
    """Every literal key passed to ``Reason(...)`` anywhere in the engine's source."""
    keys: set[str] = set()
    for path in ENGINE_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "Reason"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                keys.add(node.args[0].value)
    return keys


def test_every_engine_reason_key_has_a_renderer():
    """Tests that the presenters know every reason key the engine can write."""
    keys = engine_reason_keys()
    assert len(keys) >= 10
    assert keys <= set(REASONS), keys - set(REASONS)
    assert keys <= set(SAMPLES)


def test_flag_bits_equal_the_engine_constants():
    """Tests that each engine flag bit has exactly one label, with the engine's value."""
    assert sorted(bit for bit, *_ in FLAGS) == sorted(engine.FLAG_NAMES)
    assert set(COMPONENT_LABELS) == set(engine.COMPONENTS)


@pytest.mark.parametrize("locale", ["pt_BR", "en"])
def test_every_reason_renders(app, locale):
    """Tests that each reason, in its variants, renders to a full sentence in both languages."""
    variants = [{"key": k, "values": v} for k, v in SAMPLES.items()]
    variants += [
        {"key": "visit_overdue", "values": {"days": None, "frequency": 7}},
        {"key": "new_customer", "values": {"days": None}},
        {"key": "next_delivery", "values": {"days": 1}},
        {"key": "next_delivery", "values": {"days": 0}},
        {"key": "days_without_purchase", "values": {"days": 1, "cycle": 7}},
        {"key": "credit_blocked", "values": {"available": -297.7, "ticket": 1169.19}},
        {"key": "high_value", "values": {"ticket": 900.0, "share_pct": 0.08}},
        {
            "key": "rescue",
            "values": {**SAMPLES["rescue"], "monthly": 1500.0, "channel": "telesales"},
        },
        {
            "key": "rescue",
            "values": {**SAMPLES["rescue"], "monthly": 1500.0, "channel": "telesales_only"},
        },
        {
            "key": "rescue",
            "values": {
                **SAMPLES["rescue"],
                "monthly": 1500.0,
                "channel": "field",
                "min_value": 1000.0,
            },
        },
    ] + [
        {"key": "overdue_collect", "values": {**SAMPLES["overdue_collect"], "policy": p}}
        for p in engine.COLLECTION_POLICIES
    ]
    with app.test_request_context(), force_locale(locale):
        for reason in variants:
            text = render_reason(reason)
            assert text, reason
            assert "%(" not in text
        assert render_reason({"key": "unknown_key", "values": {}}) is None
        assert render_reasons([{"key": "unknown_key"}, variants[0]]) == [render_reason(variants[0])]
        labels = [f.label for f in flag_labels(sum(engine.FLAG_NAMES))]
        assert len(labels) == len(engine.FLAG_NAMES)
        assert len(component_items(dict.fromkeys(engine.COMPONENTS, 1.5))) == len(engine.COMPONENTS)


def test_portuguese_wording(app):
    """Tests the sentences a rep reads, word for word."""
    with app.test_request_context(), force_locale("pt_BR"):
        for key, text in PT.items():
            assert render_reason({"key": key, "values": SAMPLES[key]}) == text
        assert render_reason(
            {"key": "days_without_purchase", "values": {"days": 1, "cycle": 7}}
        ).startswith("1 dia sem")
        credit = render_reason(
            {"key": "credit_blocked", "values": {"available": -297.7, "ticket": 1169.19}}
        )
        assert (
            credit
            == "Limite de crédito estourado em R$\xa0297,70; o pedido usual é de R$\xa01.169,19"
        )
        assert render_reason(
            {"key": "high_value", "values": {"ticket": 900.0, "share_pct": 0.08}}
        ) == ("Ticket médio R$\xa0900,00")
        assert render_reason({"key": "value_at_stake", "values": SAMPLES["value_at_stake"]}) == (
            "R$\xa0742,50 por mês em risco: compra R$\xa01.237,50 por mês, risco de perda de 60%"
        )
        field = {**SAMPLES["rescue"], "monthly": 1500.0, "channel": "field", "min_value": 1000.0}
        assert render_reason({"key": "rescue", "values": field}) == (
            "Sem comprar há 120 dias (8,6× o ciclo de 14 dias): resgatar — "
            "comprava R$\xa01.500,00 por mês;"
            " visita em campo pela política da empresa "
            "(clientes que compram R$\xa01.000,00 por mês ou mais)"
        )
        # details are not reasons: the rep's and the call list's sentences leave them out
        lines = [
            {"key": "visit_overdue", "values": SAMPLES["visit_overdue"]},
            {"key": "new_customer", "values": {"days": 10}, "detail": True},
        ]
        assert len(render_reasons(lines)) == 1
        assert render_details(lines) == ["Cliente novo: primeira compra há 10 dias"]
        assert [f.label for f in flag_labels(engine.SERVICE_GAP | engine.PURCHASE_LAPSE)] == [
            "Ruptura de atendimento",
            "Ruptura de positivação",
        ]
