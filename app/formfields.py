"""Form fields the admin pages share: numbers typed the Brazilian way, weekday check boxes,
and putting a service's field errors next to the fields."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.dates import get_day_names
from flask_babel import get_locale
from wtforms import DecimalField, FloatField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget, TextInput


class LocalFloatField(FloatField):
    """A number that may be typed with a decimal comma (``-23,5505``) or a dot.

    A text input (``inputmode="decimal"`` on the page): a number input refuses the comma
    in some browsers and locales.
    """

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)


class LocalDecimalField(DecimalField):
    """An amount typed the Brazilian way (``1.234,56``, ``R$ 1234,56``) or with a decimal dot."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        raw = str(valuelist[0]).replace("R$", "").replace(" ", "").replace("\u00a0", "")
        if "," in raw:
            raw = raw.replace(".", "").replace(",", ".")
        try:
            self.data = Decimal(raw)
        except InvalidOperation:
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else f"{self.data:.2f}".replace(".", ",")


class WeekdaysField(SelectMultipleField):
    """Seven check boxes, Monday first; the data is a Monday-first bit mask (bit 0 = Monday)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)
        self.choices = [SelectChoice(i, str(i)) for i in range(7)]

    def localise(self) -> None:
        """Name the weekdays in the interface's language (call inside a request)."""
        names = get_day_names("abbreviated", locale=str(get_locale()))
        self.choices = [SelectChoice(i, str(names[i]).rstrip(".")) for i in range(7)]

    @property
    def mask(self) -> int:
        """Return the chosen weekdays as a bit mask."""
        return sum(1 << int(day) for day in self.data or () if 0 <= int(day) < 7)

    @staticmethod
    def days_of(mask: int) -> list[int]:
        """Return the weekdays of a mask, for the field's initial data."""
        return [day for day in range(7) if mask >> day & 1]


def show_errors(form: Any, errors: dict[str, Any]) -> None:
    """Put a service's field errors next to the form's fields; errors of keys no field shows
    go to the top of the form (`form_errors` in templates/macros/forms.html), never only to a
    flash that the sticky header may hide."""
    for key, message in errors.items():
        field = getattr(form, key, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, str(message)]
        else:
            form_error(form, str(message))


def form_error(form: Any, message: str) -> None:
    """Add an error of the whole form (shown at its top by the `form_errors` macro)."""
    try:
        form.form_errors.append(message)
    except AttributeError:
        form.form_errors = [message]
