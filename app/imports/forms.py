"""Forms of the import pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Regexp

KIND_LABELS = {
    "customers": _l("Customers"),
    "orders": _l("Orders (one row per line)"),
    "receivables": _l("Receivables"),
    "users": _l("Users and teams"),
}


class UploadForm(FlaskForm):
    """What is being imported, and the file."""

    kind = SelectField(_l("Data"), choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()], validators=[DataRequired()])
    file = FileField(_l("File (CSV or XLSX)"), validators=[
        FileRequired(), FileAllowed(["csv", "txt", "xlsx"], _l("Use a CSV or XLSX file."))])


class ConfirmForm(FlaskForm):
    """Points at the previewed file kept in the instance folder."""

    kind = HiddenField(validators=[DataRequired()])
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])
    filename = HiddenField(validators=[DataRequired()])
