"""Forms of the import pages."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import Field, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

KIND_LABELS = {
    "customers": _l("Customers"),
    "orders": _l("Orders (one row per line)"),
    "receivables": _l("Receivables"),
    "users": _l("Users and teams"),
}


class UploadForm(FlaskForm):
    """What is being imported, and the file."""

    kind = SelectField(
        _l("Data"),
        choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
        validators=[DataRequired()],
    )
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[
            FileRequired(),
            FileAllowed(["csv", "txt", "xlsx"], _l("Use a CSV or XLSX file.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """Points at the previewed file kept in the instance folder, and the column mapping it
    was read with."""

    kind = HiddenField(validators=[DataRequired()])
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    filename = HiddenField(validators=[DataRequired()])
    mapping = HiddenField(validators=[Optional(), Length(max=100_000)])


class RepeatedField(Field):
    """Every value sent under the field's name, in order (one `<select name="column">` per
    header of the file): a list of strings."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = [str(value) for value in valuelist]


class MappingForm(FlaskForm):
    """The kept file whose columns the admin maps; the choices come as repeated `column` values."""

    kind = HiddenField(validators=[DataRequired()])
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    filename = HiddenField(validators=[DataRequired()])
    column = RepeatedField(default=list)
