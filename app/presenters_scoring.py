"""Labels of the score's components and flags (aligned with optimizer.scoring)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

COMPONENT_LABELS: dict[str, Any] = {
    "purchase_cycle": _l("Purchase cycle"),
    "service_gap": _l("Service gap"),
    "value": _l("Value"),
    "finance": _l("Finance"),
    "delivery_fit": _l("Delivery fit"),
    "mix_lapse": _l("Mix lapse"),
}

# (bit, css class, icon, label). The bits must equal optimizer.scoring's flag constants;
# a test checks that they do.
FLAGS: list[tuple[int, str, str, Any]] = [
    (1, "gap", "⏱", _l("Service gap")),
    (2, "lapse", "↘", _l("Purchase lapse")),
    (4, "rescue", "🛟", _l("Rescue")),
    (8, "collect", "⚠", _l("Overdue: collect")),
    (16, "credit", "⛔", _l("Credit blocked")),
    (32, "new", "★", _l("New customer")),
]
