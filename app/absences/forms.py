"""Forms of the absences pages: mark a rep away, propose a cover, edit a line."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.admin_users.forms import TIME_OFF_LABELS
from app.services.absence_cover import MAX_ADDED_MAX, PHONE_MAX, URGENT_MAX


class AwayForm(FlaskForm):
    """A rep in scope away for a range of days."""

    rep_id = SelectField(_l("Rep"), coerce=int, validators=[InputRequired()])
    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day"), validators=[InputRequired()])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in TIME_OFF_LABELS.items()]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class ProposeForm(FlaskForm):
    """Who is away, which day, and the supervisor's two knobs."""

    rep_id = HiddenField(validators=[InputRequired()])
    day = HiddenField(validators=[InputRequired()])
    urgent_count = IntegerField(
        _l("Other urgent visits"),
        validators=[InputRequired(), NumberRange(min=0, max=URGENT_MAX)],
    )
    phone_capacity = IntegerField(
        _l("Calls telesales can take"),
        validators=[InputRequired(), NumberRange(min=0, max=PHONE_MAX)],
    )
    max_added = IntegerField(
        _l("Extra visits per rep, at most"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_ADDED_MAX)],
    )


class LineForm(FlaskForm):
    """Where one line of a proposal goes: a rep, telesales, out, or the solver's choice."""

    target = SelectField(_l("Give to"), validators=[InputRequired()])


class TimeOffForm(FlaskForm):
    """A rep's time off as it stands: the range, the kind and the note (the rep stays)."""

    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day"), validators=[InputRequired()])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in TIME_OFF_LABELS.items()]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])
