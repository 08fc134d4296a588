"""The settings form, generated from the ScoringSettings dataclass fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.settings_admin.fields import POLICY_LABELS, FieldSpec, field_specs
from optimizer.scoring import COLLECTION_POLICIES, ScoringSettings


class SettingsFormBase(FlaskForm):
    """Fields that are not settings: the version note and the portfolio to preview."""

    note = StringField(_l("What changed and why (optional)"), validators=[Optional(), Length(max=500)])
    portfolio = SelectField(_l("Portfolio to preview"), coerce=int, validate_choice=False, default=0)


def _field(spec: FieldSpec) -> Any:
    text = spec.text
    bounds = NumberRange(min=text.minimum, max=text.maximum)
    if spec.kind == "bool":
        return BooleanField(text.label, description=text.help)
    if spec.kind == "choice":
        choices = [SelectChoice(p, POLICY_LABELS.get(p, p)) for p in COLLECTION_POLICIES]
        return SelectField(text.label, choices=choices, description=text.help)
    if spec.kind == "int":
        return IntegerField(text.label, validators=[InputRequired(), bounds], description=text.help)
    required = Optional() if spec.kind == "optional" else InputRequired()
    return DecimalField(text.label, places=None, validators=[required, bounds], description=text.help)


def settings_form_class() -> type[SettingsFormBase]:
    """A form class with one field per editable ScoringSettings field."""
    attrs = {spec.name: _field(spec) for spec in field_specs()}
    return type("ScoringSettingsForm", (SettingsFormBase,), attrs)


def form_defaults(settings: ScoringSettings) -> dict[str, Any]:
    """Values of the current settings to pre-fill the form."""
    return {spec.name: getattr(settings, spec.name) for spec in field_specs()}


def proposed_settings(form: SettingsFormBase, base: ScoringSettings) -> ScoringSettings:
    """The settings the form proposes; raises ValueError when the engine rejects them."""
    data = base.to_dict()
    for spec in field_specs():
        value = getattr(form, spec.name).data
        if spec.kind in {"float", "optional"}:
            value = None if value is None else float(value)
        data[spec.name] = value
    return ScoringSettings.from_dict(data)
