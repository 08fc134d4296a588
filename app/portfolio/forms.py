"""The customer edit form: what the planner and the score read, in the words users use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.formfields import LocalDecimalField, LocalFloatField, WeekdaysField
from app.models import Channel, Customer
from app.query_forms import QueryForm, stripped
from app.services.opening_hours import (
    FormatError,
    format_opening_hours,
    parse_opening_hours,
)
from app.services.portfolio import PortfolioQuery

CHANNEL_LABELS = {
    Channel.FIELD: _l("Field (visited by a rep)"),
    Channel.TELESALES: _l("Telesales (called)"),
}
# Fields whose value goes to the service as typed (text and numbers).
PLAIN_FIELDS = (
    "trade_name",
    "legal_name",
    "segment",
    "street",
    "number",
    "district",
    "city",
    "state",
    "postal_code",
    "zone",
    "phone",
    "whatsapp",
    "visit_frequency_days",
    "service_minutes",
    "credit_limit",
    "latitude",
    "longitude",
)


class CustomerForm(FlaskForm):
    """Identity, address and position, who serves the customer and how, hours and delivery days."""

    trade_name = StringField(_l("Trade name"), validators=[DataRequired(), Length(max=200)])
    legal_name = StringField(_l("Legal name"), validators=[DataRequired(), Length(max=200)])
    segment = StringField(_l("Segment"), validators=[DataRequired(), Length(max=60)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])
    whatsapp = StringField(_l("WhatsApp"), validators=[Optional(), Length(max=30)])
    street = StringField(_l("Street"), validators=[Optional(), Length(max=200)])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=20)])
    district = StringField(_l("District"), validators=[Optional(), Length(max=120)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])
    state = StringField(_l("State (UF)"), validators=[Optional(), Length(max=2)])
    postal_code = StringField(_l("Postal code (CEP)"), validators=[Optional(), Length(max=10)])
    zone = StringField(_l("Delivery zone"), validators=[Optional(), Length(max=60)])
    latitude = LocalFloatField(_l("Latitude"), validators=[Optional()])
    longitude = LocalFloatField(_l("Longitude"), validators=[Optional()])
    channel = SelectField(
        _l("Served by"),
        choices=[SelectChoice(c.value, label) for c, label in CHANNEL_LABELS.items()],
    )
    owner_id = SelectField(_l("Portfolio of"), coerce=int)
    visit_frequency_days = IntegerField(
        _l("Visit or call every (days)"), validators=[InputRequired()]
    )
    service_minutes = IntegerField(_l("Visit length (minutes)"), validators=[InputRequired()])
    credit_limit = LocalDecimalField(_l("Credit limit (R$)"), validators=[InputRequired()])
    opening_hours = StringField(_l("Opening hours"), validators=[Length(max=500)])
    opening_hours_before = HiddenField()
    delivery_weekdays = WeekdaysField(_l("Delivery days"))


def form_data(customer: Customer) -> dict[str, Any]:
    """The form's initial values from a customer."""
    data = {key: getattr(customer, key) for key in PLAIN_FIELDS}
    text = format_opening_hours(customer.opening_hours)
    data.update(
        channel=customer.channel.value,
        owner_id=customer.owner_id or 0,
        opening_hours=text,
        opening_hours_before=text,
        delivery_weekdays=WeekdaysField.days_of(customer.delivery_weekdays),
    )
    return data


def changed_values(form: CustomerForm, customer: Customer) -> dict[str, Any]:
    """Return only the fields the user changed, parsed; a field left as shown is never sent.

    The opening hours are compared as text with the text the page showed, so a document the
    grammar would write differently is kept untouched unless the user edits it; clearing the
    field on purpose means "no restriction".
    """
    out: dict[str, Any] = {}
    for key in PLAIN_FIELDS:
        value = getattr(form, key).data
        if isinstance(value, str):
            value = value.strip() or None
        if value != getattr(customer, key):
            out[key] = value
    if form.channel.data != customer.channel.value:
        out["channel"] = form.channel.data
    if (form.owner_id.data or None) != customer.owner_id:
        out["owner_id"] = form.owner_id.data or None
    if form.delivery_weekdays.mask != customer.delivery_weekdays:
        out["delivery_weekdays"] = form.delivery_weekdays.mask
    typed = (form.opening_hours.data or "").strip()
    if typed != (form.opening_hours_before.data or "").strip():
        try:
            out["opening_hours"] = parse_opening_hours(typed)
        except FormatError as exc:
            form.opening_hours.errors = [*form.opening_hours.errors, str(exc)]
    return out


class PortfolioFilterForm(QueryForm):
    """The portfolio list's search: text, segment, owner and page, from the query string."""

    q = StringField(filters=[stripped], default="")
    segment = StringField(filters=[stripped])
    owner = IntegerField()
    page = IntegerField(default=1)
    lost = StringField(filters=[stripped])  # "1": the customers marked lost instead

    def query(self) -> PortfolioQuery:
        """The service's typed query."""
        return PortfolioQuery(
            text=self.q.data or "",
            segment=self.segment.data,
            owner_id=self.owner.data,
            page=max(self.page.data or 1, 1),
            lost=self.lost.data == "1",
        )
