"""`flask` commands speak through gettext: English source, pt_BR by default, English on request."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from flask_babel import refresh

from app.i18n import cli_locale

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def speak(app, monkeypatch):
    """Set the command line's language as ROTEIRO_CLI_LOCALE would (the config reads it)."""

    def set_locale(value: str | None) -> None:
        monkeypatch.setitem(app.config, "CLI_LOCALE", value)
        refresh()  # Flask-Babel keeps the locale of the current context

    return set_locale


def _create(runner, email: str):  # type: ignore[no-untyped-def]
    return runner.invoke(
        args=["company", "create", "Atacado Dois Idiomas", "--admin-email", email, "--state", "sp"]
    )


def test_company_create_speaks_portuguese_by_default(runner, speak):
    """Tests that without ROTEIRO_CLI_LOCALE the output is the pt_BR catalogue's."""
    speak(None)
    result = _create(runner, "pt@idiomas.example")
    assert result.exit_code == 0, result.output
    assert (
        "empresa criada: Atacado Dois Idiomas (identificador atacado-dois-idiomas" in result.output
    )
    assert "administrador: pt@idiomas.example" in result.output
    assert "senha provisória (mostrada só agora" in result.output
    assert "próximos passos" in result.output
    listing = runner.invoke(args=["company", "list"])
    assert "\t1 usuário\t" in listing.output


def test_company_create_speaks_english_on_request(runner, speak):
    """Tests that ROTEIRO_CLI_LOCALE=en gives the English source text, plurals included."""
    speak("en")
    result = _create(runner, "en@idiomas.example")
    assert result.exit_code == 0, result.output
    assert "company created: Atacado Dois Idiomas (identifier atacado-dois-idiomas" in result.output
    assert "administrator: en@idiomas.example" in result.output
    assert "one-time password (shown only now" in result.output
    assert "empresa" not in result.output
    listing = runner.invoke(args=["company", "list"])
    assert "\t1 user\t" in listing.output
    again = _create(runner, "en@idiomas.example")
    assert again.exit_code != 0
    assert "email" in again.output


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [(None, "pt_BR"), ("en", "en"), ("en_US", "en"), ("pt-BR", "pt_BR"), ("fr", "pt_BR")],
)
def test_the_cli_locale_is_one_of_ours(app, speak, wanted, chosen):
    """Tests that ROTEIRO_CLI_LOCALE is normalised, and anything unknown is the default."""
    speak(wanted)
    with app.app_context():
        assert cli_locale() == chosen


@pytest.mark.parametrize(
    ("locale", "message"),
    [
        ("en", "set ROTEIRO_CELERY_BROKER_URL"),
        ("pt_BR", "defina ROTEIRO_CELERY_BROKER_URL"),
        ("", "defina ROTEIRO_CELERY_BROKER_URL"),
    ],
)
def test_a_real_flask_process_reads_roteiro_cli_locale(tmp_path, locale, message):
    """Tests the variable end to end: a `flask` process refusing to start a worker says why
    in the language of ROTEIRO_CLI_LOCALE."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROTEIRO_")}
    env.update(
        ROTEIRO_CLI_LOCALE=locale,
        ROTEIRO_DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}",
        ROTEIRO_CONFIG="development",
    )
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "jobs", "worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert message in done.stderr


def _figures():  # type: ignore[no-untyped-def]
    from decimal import Decimal

    from app.demo.stats import DemoStats

    return DemoStats(
        today=date(2026, 3, 2),
        customers=200,
        orders=1500,
        order_lines=6000,
        lapsing=25,
        lost=10,
        overdue_customers=30,
        overdue_long_customers=12,
        overdue_amount=Decimal("12345.6"),
        visits=700,
        calls=300,
        service_gaps=41,
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            None,
            [
                "Data de referência: 2026-03-02",
                "Clientes: 200",
                "Pedidos: 1500 (6000 itens)",
                "Em ruptura de positivação (1,5x a 4x o ciclo): 25 (12,5%)",
                "Perdidos (> 4x o ciclo ou > 120 dias): 10 (5,0%)",
                "Com títulos vencidos: 30 (15,0%), 12 há mais de 30 dias",
                "Valor vencido: R$\xa012.345,60",
                "Contatos (90 dias): 1000 (700 visitas, 300 ligações)",
                "Sem contato dentro da frequência: 41 (20,5%)",
            ],
        ),
        (
            "en",
            [
                "Reference day: 2026-03-02",
                "Customers: 200",
                "Orders: 1500 (6000 lines)",
                "Lapsing (1.5x to 4x the cycle): 25 (12.5%)",
                "Lost (over 4x the cycle or over 120 days): 10 (5.0%)",
                "With overdue receivables: 30 (15.0%), 12 over 30 days",
                "Overdue amount: R$12,345.60",
                "Contacts (90 days): 1000 (700 visits, 300 calls)",
                "No contact within the visit frequency: 41 (20.5%)",
            ],
        ),
    ],
)
def test_demo_figures_speak_the_cli_language(app, speak, locale, expected):
    """Tests that `flask demo stats` prints its figures in the command line's language, with
    the language's numbers and money."""
    speak(locale)
    with app.app_context():
        assert _figures().lines() == expected


@pytest.mark.parametrize(
    ("locale", "refusal"),
    [
        (None, "não há empresa de demonstração; rode `flask demo load` antes"),
        ("en", "there is no demo company; run `flask demo load` first"),
    ],
)
def test_demo_commands_refuse_and_help_in_the_cli_language(runner, speak, locale, refusal):
    """Tests that `flask demo stats` without a demo company says so in the command line's
    language, and that every option of `flask demo load` explains itself in --help."""
    speak(locale)
    result = runner.invoke(args=["demo", "stats"])
    assert result.exit_code != 0
    assert refusal in result.output
    shown = runner.invoke(args=["demo", "load", "--help"])
    assert shown.exit_code == 0
    text = " ".join(shown.output.split())
    for option, help_text in [
        ("--seed INTEGER", "Random seed"),
        ("--if-empty", "Do nothing if the demo company already exists."),
        ("--customers INTEGER", "How many customers the demo company gets."),
        ("--today YYYY-MM-DD", "Reference day"),
    ]:
        assert f"{option} {help_text}" in text
