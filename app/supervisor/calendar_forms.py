"""Forms of the visit calendar page: move a customer, pin or free it, re-optimise the rest."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

# Codes of app.services.visit_calendars.CalendarError, by the field they are about.
WEEKDAY_ERRORS = frozenset({"bad_weekday", "rep_off", "customer_closed", "no_delivery_fit"})
WEEKS_ERRORS = frozenset({"bad_weeks", "wrong_cadence"})


def weeks_value(weeks: Sequence[int]) -> str:
    """Return the form value of some weeks of the cycle (0-3): "0,2"."""
    return ",".join(str(w) for w in sorted(weeks))


def parse_weeks(value: str | None) -> tuple[int, ...] | None:
    """Read "0,2" back into weeks; None when it is not a list of weeks 0-3."""
    try:
        weeks = tuple(int(part) for part in (value or "").split(",") if part.strip())
    except ValueError:
        return None
    if not weeks or any(not 0 <= w <= 3 for w in weeks) or len(set(weeks)) != len(weeks):
        return None
    return tuple(sorted(weeks))


class MoveForm(FlaskForm):
    """Another regular day for one customer: a weekday, the weeks of the cycle, and a pin."""

    customer_id = IntegerField(validators=[InputRequired()])
    weekday = SelectField(_l("Weekday"), coerce=int, validate_choice=True)
    weeks = SelectField(_l("Weeks of the cycle"), validate_choice=True)
    pin = BooleanField(_l("Keep it on this day when the calendar is re-optimised"), default=True)

    def offer(
        self,
        weekdays: Sequence[tuple[int, str]],
        weeks: Sequence[tuple[Sequence[int], str]],
    ) -> None:
        """Set the choices: the rep's working weekdays and the weeks the cadence allows."""
        self.weekday.choices = [SelectChoice(d, label) for d, label in weekdays]
        self.weeks.choices = [SelectChoice(weeks_value(w), label) for w, label in weeks]


class PinForm(FlaskForm):
    """Pin a customer where it is (re-optimising keeps it) or free it."""

    customer_id = IntegerField(validators=[InputRequired()])
    pinned = HiddenField()

    @property
    def wants_pin(self) -> bool:
        """Tell whether the button asked to pin (1) rather than to free (0)."""
        return self.pinned.data == "1"


class ReoptimiseForm(FlaskForm):
    """Ask for the rep's calendar to be re-optimised (CSRF only; pins are kept)."""


def attach_error(form: MoveForm, code: str, message: str, flash: Callable[[str], None]) -> None:
    """Put a refused move's reason next to the field it is about (others: a flash)."""
    if code in WEEKDAY_ERRORS:
        form.weekday.errors = [*form.weekday.errors, message]
    elif code in WEEKS_ERRORS:
        form.weeks.errors = [*form.weeks.errors, message]
    else:
        flash(message)
