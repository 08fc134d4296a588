"""Forms of the admin users pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.models import Role
from app.navigation import ROLE_LABELS


class UserForm(FlaskForm):
    """Role, team and whether the account may log in."""

    role = SelectField(_l("Profile"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])
    team_id = SelectField(_l("Team"), coerce=int)
    active = BooleanField(_l("Active (may log in)"))


class ResetPasswordForm(FlaskForm):
    """A new password chosen by the administrator."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
