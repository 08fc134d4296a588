"""The month's targets form: two percentages per portfolio and for the team, built per team."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import NumberRange, Optional

from app.formfields import LocalDecimalField

FIGURES = ("coverage", "activation")


class TargetsForm(FlaskForm):
    """The month; the percentage fields are added per subject by :func:`targets_form`."""

    month = HiddenField()


def field_name(subject: str, figure: str) -> str:
    """Form field of one figure of one subject (``u12_coverage``, ``t3_activation``)."""
    return f"{subject}_{figure}"


def targets_form(subjects: list[str]) -> TargetsForm:
    """A form with a coverage and a positivação percentage (0–100, blank keeps) per subject."""
    bounds = NumberRange(0, 100, message=_l("Enter a percentage from 0 to 100."))
    labels = {"coverage": _l("Coverage target"), "activation": _l("Activation target")}

    class _Form(TargetsForm):
        pass

    for subject in subjects:
        for figure in FIGURES:
            field = LocalDecimalField(labels[figure], validators=[Optional(), bounds])
            setattr(_Form, field_name(subject, figure), field)
    return _Form()
