"""Forms of the company page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.services.work_calendar import states


class CompanyForm(FlaskForm):
    """The company's name and the state whose holidays it observes."""

    name = StringField(_l("Company name"), validators=[DataRequired(), Length(max=200)])
    state = SelectField(
        _l("State (its holidays apply)"), choices=[SelectChoice(s, s) for s in states()]
    )


class DayOffForm(FlaskForm):
    """A municipal holiday, collective vacation or any day nobody works."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day (empty: one day)"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A button that posts (CSRF only)."""
