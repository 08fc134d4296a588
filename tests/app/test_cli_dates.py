"""One date type for every ``flask`` command: ISO days in, a clear usage error otherwise."""

from __future__ import annotations

from datetime import date, datetime

import click
import pytest
from click.testing import CliRunner

from app.commands.params import DATE


@click.command()
@click.option("--day", type=DATE)
def show_day(day: date | None) -> None:
    click.echo(repr(day))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-11-30", date(2026, 11, 30)), (" 2024-02-29 ", date(2024, 2, 29))],
)
def test_iso_days_are_read(text: str, expected: date) -> None:
    """Tests that an ISO day (spaces around it allowed) is that day."""
    assert DATE.convert(text, None, None) == expected


def test_dates_and_datetimes_pass_through() -> None:
    """Tests that a default given as a date (or datetime) is kept as the day."""
    assert DATE.convert(date(2026, 1, 2), None, None) == date(2026, 1, 2)
    assert DATE.convert(datetime(2026, 1, 2, 23, 59), None, None) == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("30/11/2026", "use YYYY-MM-DD"),  # the Brazilian order is refused, never swapped
        ("11/30/2026", "use YYYY-MM-DD"),
        ("20261130", "use YYYY-MM-DD"),  # accepted by date.fromisoformat, not here
        ("2026-W48-1", "use YYYY-MM-DD"),
        ("", "use YYYY-MM-DD"),
        ("amanhã", "use YYYY-MM-DD"),
        ("2026-02-30", "not a day of the calendar"),
        ("2026-13-01", "not a day of the calendar"),
    ],
)
def test_anything_else_is_a_usage_error_naming_the_form(text: str, message: str) -> None:
    """Tests that a wrong day exits with click's usage error (2) and says what to type."""
    result = CliRunner().invoke(show_day, ["--day", text])
    assert result.exit_code == 2
    assert message in result.output
    assert repr(text) in result.output


def test_help_shows_the_form() -> None:
    """Tests that --help shows YYYY-MM-DD as the option's value."""
    result = CliRunner().invoke(show_day, ["--help"])
    assert "--day YYYY-MM-DD" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--date", "30/11/2026"],
        ["score", "--date", "30/11/2026"],
        ["demo", "stats", "--today", "30/11/2026"],
        ["jobs", "run-once", "nightly", "--date", "30/11/2026"],
        ["export", "plans", "--date", "30/11/2026"],
    ],
)
def test_every_command_with_a_date_uses_it(app, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Tests that each command's date option refuses a Brazilian-order day the same way."""
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 2, result.output
    assert "use YYYY-MM-DD" in result.output
