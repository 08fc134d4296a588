"""The admin's re-run form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import DataRequired


class RerunForm(FlaskForm):
    """Pick the date to plan again."""

    day = DateField(_l("Date to plan"), validators=[DataRequired()])
