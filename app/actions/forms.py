"""The action forms; the services check the values (scope, dates, windows) field by field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TextAreaField, TimeField
from wtforms.validators import Length, Optional


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class _NextForm(FlaskForm):
    next = HiddenField()


class SendToTelesalesForm(_NextForm):
    """Which seat calls, from which day, and what the supervisor wants said."""

    seat_id = SelectField(_l("Telesales seat"), coerce=_int_or_none, validate_choice=False)
    due_date = DateField(_l("Call from"), validators=[Optional()])
    note = TextAreaField(_l("Note for the seat"), validators=[Optional(), Length(max=300)])


class BookVisitForm(_NextForm):
    """Which rep visits, on which day, arriving within which window."""

    rep_id = SelectField(_l("Rep"), coerce=_int_or_none, validate_choice=False)
    day = DateField(_l("Day"), validators=[Optional()])
    window_start = TimeField(_l("Arrive from"), validators=[Optional()])
    window_end = TimeField(_l("Arrive by"), validators=[Optional()])
    note = TextAreaField(_l("Note for the rep"), validators=[Optional(), Length(max=300)])


class LostForm(_NextForm):
    """Why the customer was lost."""

    reason = SelectField(_l("Reason"), validate_choice=False)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=300)])


class WinBackForm(_NextForm):
    """Put a lost customer back in the base (a button)."""


class MoveForm(_NextForm):
    """The portfolio receiving the chosen customers (their ids come as ``customer_ids``)."""

    target_id = SelectField(
        _l("Move to the portfolio of"), coerce=_int_or_none, validate_choice=False
    )
    confirm = HiddenField()
