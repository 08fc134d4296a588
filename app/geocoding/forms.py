"""Form of the position correction."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField
from wtforms.validators import InputRequired, NumberRange


class PositionForm(FlaskForm):
    """Latitude and longitude (the map fills them in)."""

    latitude = FloatField(_l("Latitude"), validators=[InputRequired(), NumberRange(-90, 90)])
    longitude = FloatField(_l("Longitude"), validators=[InputRequired(), NumberRange(-180, 180)])
