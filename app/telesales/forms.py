"""The call outcome form (one per row of the list; CSRF checked by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import DataRequired, Length


class CallForm(FlaskForm):
    """A call's outcome; what each outcome requires is checked by the service."""

    customer_id = IntegerField(validators=[DataRequired()])
    client_uuid = HiddenField(validators=[DataRequired(), Length(max=36)])
    outcome = StringField(validators=[DataRequired(), Length(max=20)])
    order_value = StringField(validators=[Length(max=20)])
    no_sale_reason = StringField(validators=[Length(max=60)])
    callback_time = StringField(validators=[Length(max=20)])
    callback_date = StringField(validators=[Length(max=10)])
    notes = StringField(validators=[Length(max=500)])
