"""The settings form, generated from the ScoringSettings dataclass fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from app.services.company_settings import (
    CALENDAR_SECONDS_RANGE,
    CAPACITY_OVER_PCT_RANGE,
    CAPACITY_UNDER_PCT_RANGE,
)
from app.settings_admin.fields import (
    CHOICES,
    FieldSpec,
    field_specs,
    segment_specs,
)
from optimizer.scoring import ScoringSettings


class SettingsFormBase(FlaskForm):
    """Fields that are not settings: the version note and the portfolio to preview."""

    note = StringField(
        _l("What changed and why (optional)"), validators=[Optional(), Length(max=500)]
    )
    portfolio = SelectField(
        _l("Portfolio to preview"), coerce=int, validate_choice=False, default=0
    )
    # Which button was pressed: "save" writes a version, anything else previews.
    action = StringField(default="preview")


def _field(spec: FieldSpec) -> Any:
    text = spec.text
    bounds = NumberRange(min=text.minimum, max=text.maximum)
    if spec.kind == "bool":
        return BooleanField(text.label, description=text.help)
    if spec.kind == "choice":
        choices = [SelectChoice(value, label) for value, label in CHOICES[spec.name]]
        return SelectField(text.label, choices=choices, description=text.help)
    if spec.kind == "int":
        return IntegerField(text.label, validators=[InputRequired(), bounds], description=text.help)
    required = Optional() if spec.kind == "optional" else InputRequired()
    return DecimalField(
        text.label, places=None, validators=[required, bounds], description=text.help
    )


def settings_form_class(segments: tuple[str, ...] = ()) -> type[SettingsFormBase]:
    """A form class with one field per editable ScoringSettings field and per segment cycle."""
    attrs = {spec.name: _field(spec) for spec in [*field_specs(), *segment_specs(segments)]}
    return type("ScoringSettingsForm", (SettingsFormBase,), attrs)


def configured_segment_cycles(settings: ScoringSettings) -> dict[str, float]:
    """Segment name -> configured cycle, from the names stored beside the cycles."""
    names = settings.extra.get("segment_names") or []
    return dict(zip(names, settings.segment_cycle_days, strict=False))


def form_defaults(settings: ScoringSettings, segments: tuple[str, ...] = ()) -> dict[str, Any]:
    """Values of the current settings to pre-fill the form."""
    data = {spec.name: getattr(settings, spec.name) for spec in field_specs()}
    configured = configured_segment_cycles(settings)
    for spec, name in zip(segment_specs(segments), segments, strict=True):
        cycle = configured.get(name)
        data[spec.name] = None if cycle is None or cycle == settings.default_cycle_days else cycle
    return data


def proposed_settings(
    form: SettingsFormBase, base: ScoringSettings, segments: tuple[str, ...] = ()
) -> ScoringSettings:
    """The settings the form proposes; raises ValueError when the engine rejects them."""
    data = base.to_dict()
    for spec in field_specs():
        value = getattr(form, spec.name).data
        if spec.kind in {"float", "optional"}:
            value = None if value is None else float(value)
        data[spec.name] = value
    cycles = [getattr(form, spec.name).data for spec in segment_specs(segments)]
    if any(c is not None for c in cycles):
        default = float(data["default_cycle_days"])
        data["segment_cycle_days"] = [default if c is None else float(c) for c in cycles]
        data["extra"] = {**data.get("extra", {}), "segment_names": list(segments)}
    else:
        data["segment_cycle_days"] = []
        data["extra"] = {k: v for k, v in data.get("extra", {}).items() if k != "segment_names"}
    return ScoringSettings.from_dict(data)


class DeliveryForm(FlaskForm):
    """The visit calendar's rules: how nights plan, the delivery rule, the lead time and the
    solver's budget per rep."""

    nightly_mode = SelectField(
        _l("How the nightly planning fills each day"),
        choices=[
            SelectChoice(
                "calendar",
                _l(
                    "From the visit calendar: each customer on its regular day, urgent extras added"
                ),
            ),
            SelectChoice("score", _l("From the score only: the most urgent customers each day")),
        ],
    )
    delivery_rule = SelectField(
        _l("Visit day and delivery"),
        choices=[
            SelectChoice(
                "preferred",
                _l("Preference: favour days whose orders reach the next delivery in time"),
            ),
            SelectChoice(
                "hard",
                _l("Rule: only days whose orders reach the next delivery within the lead time"),
            ),
        ],
        description=_l(
            "A rule may leave a customer without any day (it is listed on the calendar page); "
            "a preference never does."
        ),
    )
    lead_time_days = IntegerField(
        _l("Delivery lead time (days)"),
        validators=[InputRequired(), NumberRange(min=0, max=6)],
        description=_l(
            "Days between taking an order and the earliest delivery. Used by the visit "
            "calendar and by the score's delivery fit."
        ),
    )
    calendar_seconds = FloatField(
        _l("Time to compute one rep's calendar (seconds)"),
        validators=[
            Optional(),
            NumberRange(min=CALENDAR_SECONDS_RANGE[0], max=CALENDAR_SECONDS_RANGE[1]),
        ],
        description=_l(
            "The solver's budget per rep, from %(low)d to %(high)d seconds. More finds "
            "tighter calendars; less keeps the first night of many reps short. Blank keeps "
            "the value in force.",
            low=CALENDAR_SECONDS_RANGE[0],
            high=CALENDAR_SECONDS_RANGE[1],
        ),
    )
    note = StringField(
        _l("What changed and why (optional)"), validators=[Optional(), Length(max=500)]
    )


class CapacityForm(FlaskForm):
    """The capacity page's bands, in percent of a rep's available hours; blank keeps one."""

    capacity_under_pct = IntegerField(
        _l("Room to spare below this load (%)"),
        validators=[
            Optional(),
            NumberRange(min=CAPACITY_UNDER_PCT_RANGE[0], max=CAPACITY_UNDER_PCT_RANGE[1]),
        ],
        description=_l(
            "From %(low)d to %(high)d. A rep whose portfolio needs less than this "
            "percentage of the rep's hours in the next 4 weeks is flagged as having room "
            "for more customers. Blank keeps the value in force.",
            low=CAPACITY_UNDER_PCT_RANGE[0],
            high=CAPACITY_UNDER_PCT_RANGE[1],
        ),
    )
    capacity_over_pct = IntegerField(
        _l("Overloaded above this load (%)"),
        validators=[
            Optional(),
            NumberRange(min=CAPACITY_OVER_PCT_RANGE[0], max=CAPACITY_OVER_PCT_RANGE[1]),
        ],
        description=_l(
            "From %(low)d to %(high)d, and above the first band. A rep whose portfolio needs "
            "more than this percentage cannot do every visit the frequencies ask for. Blank "
            "keeps the value in force.",
            low=CAPACITY_OVER_PCT_RANGE[0],
            high=CAPACITY_OVER_PCT_RANGE[1],
        ),
    )
    note = StringField(
        _l("What changed and why (optional)"), validators=[Optional(), Length(max=500)]
    )
