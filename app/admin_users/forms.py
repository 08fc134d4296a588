"""Forms of the admin users pages: the account, the work profile, time off and passwords."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.formfields import LocalFloatField, WeekdaysField
from app.models import Role, TimeOffKind
from app.navigation import ROLE_LABELS

TIME_OFF_LABELS = {
    TimeOffKind.VACATION: _l("Vacation"),
    TimeOffKind.SICK_LEAVE: _l("Sick leave"),
    TimeOffKind.OTHER: _l("Other"),
}


class UserForm(FlaskForm):
    """Who the person is, their profile (role), team and whether they may log in."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    erp_code = StringField(_l("Rep code in the ERP"), validators=[Optional(), Length(max=60)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    role = SelectField(_l("Profile"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])
    team_id = SelectField(_l("Team"), coerce=int)
    active = BooleanField(_l("Active (may log in)"))


class NewUserForm(UserForm):
    """A new account: the same fields, and how its first password is given."""

    password_mode = RadioField(
        _l("First password"),
        choices=[
            SelectChoice("one_time", _l("Generate a one-time password (changed at first login)")),
            SelectChoice("chosen", _l("Type a password")),
        ],
        default="one_time",
    )
    password = PasswordField(_l("Password"), validators=[Optional(), Length(max=200)])


class WorkProfileForm(FlaskForm):
    """Base, hours, lunch, maximum working time and weekdays of a rep or telesales seat."""

    base_address = StringField(
        _l("Base address (where the day starts and ends)"), validators=[Optional(), Length(max=300)]
    )
    base_latitude = LocalFloatField(_l("Base latitude"), validators=[Optional()])
    base_longitude = LocalFloatField(_l("Base longitude"), validators=[Optional()])
    day_start = TimeField(_l("Day starts at"), validators=[InputRequired()])
    day_end = TimeField(_l("Day ends at"), validators=[InputRequired()])
    lunch_start = TimeField(_l("Lunch window from"), validators=[Optional()])
    lunch_end = TimeField(_l("Lunch window until"), validators=[Optional()])
    lunch_minutes = IntegerField(_l("Lunch (minutes)"), validators=[InputRequired()])
    max_work_minutes = IntegerField(
        _l("Maximum working time (minutes)"), validators=[InputRequired()]
    )
    work_days = WeekdaysField(_l("Working weekdays"))


class TimeOffForm(FlaskForm):
    """A range of days off for one person."""

    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day"), validators=[InputRequired()])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in TIME_OFF_LABELS.items()]
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class ResetPasswordForm(FlaskForm):
    """A new password chosen by the administrator."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])


class ConfirmForm(FlaskForm):
    """A button that posts (CSRF only)."""
