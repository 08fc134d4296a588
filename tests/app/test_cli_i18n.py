"""`flask` commands speak through gettext: English source, pt_BR by default, English on request."""

from __future__ import annotations

import os
import subprocess
import sys
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
