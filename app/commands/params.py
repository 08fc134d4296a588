"""Click parameter types shared by the ``flask`` commands."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import click

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateType(click.ParamType):
    """A calendar day typed as ``YYYY-MM-DD``; anything else is a usage error saying so.

    Only the ISO day is accepted (not ``23/11/2026``, week dates or compact ``20261123``),
    so a day typed in another order can never be read as a different day.
    """

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        """Show the expected form in ``--help``."""
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        """Return the day; fail with the expected form and an example."""
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if not _ISO_DAY.match(text):
            self.fail(f"{value!r} is not a date: use YYYY-MM-DD (e.g. 2026-11-30).", param, ctx)
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"{value!r} is not a day of the calendar (YYYY-MM-DD).", param, ctx)


DATE = DateType()
