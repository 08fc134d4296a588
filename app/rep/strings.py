"""Words the phone's script shows, translated on the server and handed over as JSON.

Plain words are lazy strings. Counted words are plural pairs: :func:`plural_forms` reads
each pair's raw templates from the catalogue (``ngettext`` below is found by the message
extractor like any other call), and the script picks the singular for 1 only (zero takes
the plural in Brazilian usage: "0 visitas"; see static/js/rep/i18n.js).
"""

from __future__ import annotations

import json
from typing import Any

from flask import current_app
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

JS_STRINGS: dict[str, Any] = {
    "loading": _l("Loading the route…"),
    "offline": _l("offline"),
    "online": _l("online"),
    "no_signal": _l("no signal"),
    "syncing": _l("sending…"),
    "login_again": _l("Log in again to send"),
    "log_in": _l("Log in"),
    "ok": _l("OK"),
    "updated_at": _l("Updated at %(time)s"),
    "kept_from": _l("route kept from %(date)s"),
    "no_plan": _l("No route planned for today."),
    "no_data_offline": _l(
        "Offline and no route kept on this phone yet. Open Roteiro once with signal."
    ),
    "day_summary": _l("Today's progress"),
    "sold": _l("%(amount)s sold"),
    "late": _l("%(time)s behind the plan: re-plan the rest of the day?"),
    "next_stop": _l("Next stop"),
    # Same words as the week view's (templates/rep/week.html): one catalogue entry.
    "regular_day": _l("Regular day: %(day)s"),
    "navigate": _l("Navigate"),
    "check_in": _l("Check-in"),
    "check_out": _l("Check-out"),
    "skip": _l("Skip"),
    "without_check_in": _l("No check-in"),
    "correct": _l("Correct"),
    "in_visit": _l("In visit since %(time)s"),
    "far_check_in": _l("Check-in %(distance)s from the customer: flagged for the supervisor"),
    "recorded_without_check_in": _l("recorded without check-in"),
    "remaining_stops": _l("Stops still to do"),
    "all_done": _l("Route finished. Good work!"),
    # TRANSLATORS: heading of the visits the rep adds to the day, off the planned route.
    "unplanned": _lp("phone", "Unplanned visits"),
    "pinned": _l("Pinned"),
    "appointment": _l("Appointment"),
    "offer": _l("Offer"),
    "standing_note": _l("Note"),
    "credit_available": _l("Available credit: %(amount)s"),
    "credit_none": _l("No credit available"),
    "from_previous": _l("from the previous stop"),
    "back": _l("Back to the route"),
    "address": _l("Address"),
    # TRANSLATORS: button that phones the customer (a verb).
    "call": _lp("action", "Call"),
    "whatsapp": _l("WhatsApp"),
    "google_maps": _l("Google Maps"),
    "waze": _l("Waze"),
    "hours": _l("Opening hours"),
    "closed": _l("closed"),
    "last_orders": _l("Last orders"),
    "no_orders": _l("No orders yet."),
    "receivables": _l("Receivables"),
    "open_total": _l("Open: %(amount)s"),
    "overdue_total": _l("Overdue: %(amount)s"),
    "overdue": _l("overdue"),
    "no_receivables": _l("Nothing open."),
    "lunch": _l("Lunch %(start)s–%(end)s"),
    "notes_history": _l("Notes"),
    "no_notes": _l("No notes yet."),
    "why_today": _l("Why today"),
    "booked_visits": _l("Visits booked for today, not on your route yet"),
    "booked_replan": _l("Re-plan the rest of the day to fit them in."),
    "stop_not_found": _l("This stop is not on today's route."),
    # TRANSLATORS: status of a stop of the day's route once it is over.
    "status_done": _lp("route stop", "Visited"),
    "status_skipped": _lp("route stop", "Skipped"),
    "status_in_progress": _l("In visit"),
    "outcome_order": _l("Order"),
    "outcome_no_sale": _l("No sale"),
    "outcome_closed": _l("Closed"),
    "outcome_rescheduled": _l("Rescheduled"),
    "outcome_skipped": _lp("outcome", "Skipped"),
    "outcome_title": _l("How did the visit go?"),
    "correct_title": _l("Correct the visit's result"),
    "no_check_in_title": _l("Record the visit without check-in"),
    "save_order": _l("Save order"),
    "save_order_of": _l("Save order of %(amount)s"),
    "understood": _l("Understood: %(amount)s"),
    "order_value_needed": _l("Type the order value."),
    "order_value_unclear": _l("Amount not understood: type it like 1.234,56"),
    "saved": _l("Saved."),
    "saved_offline": _l("Saved on the phone; it will be sent when there is signal."),
    "changed_elsewhere": _l("This visit changed on another tab or phone; the screen shows it now."),
    "refused": _l("The server did not accept this action."),
    "replan_offline": _l("Re-planning needs signal."),
    "replan_failed": _l("Could not re-plan now. Try again."),
    "replan_stale": _l("The route changed since this preview: re-plan again."),
    "undo_stale": _l("Too late to undo: the route changed since."),
    "undone": _l("The previous route is back."),
    "change_moved": _l("moved"),
    "change_added": _l("new"),
    "dropped": _l("Left out"),
    "ends_at": _l("back at %(time)s"),
    "no_results": _l("No customer found."),
    "locating": _l("Finding where you are…"),
    "no_position_near": _l("Location unavailable: search by name instead."),
    "map_unavailable": _l("The map could not be loaded."),
    "no_position": _l("Location unavailable: the check-in is kept and flagged."),
    "logout_offline": _l("No signal: you are still logged in and nothing was deleted."),
    "logout_not_sent": _l("Could not send now; nothing was deleted."),
}


def ngettext(singular: str, plural: str, num: int) -> str:
    """The raw plural template for ``num``, placeholders left for the script to fill."""
    return str(get_translations().ngettext(singular, plural, num))


def _counted(n: int) -> dict[str, str]:
    return {
        "pending": ngettext("%(num)s pending", "%(num)s pending", n),
        "refused": ngettext(
            "%(num)s action was refused by the server.",
            "%(num)s actions were refused by the server.",
            n,
        ),
        "stops": ngettext("%(num)s stop", "%(num)s stops", n),
        "done": ngettext("%(num)s done", "%(num)s done", n),
        "remaining": ngettext("%(num)s to go", "%(num)s to go", n),
        "done_stops": ngettext("Done (%(num)s)", "Done (%(num)s)", n),
        "visits": ngettext("%(num)s visit", "%(num)s visits", n),
        "orders": ngettext("%(num)s order", "%(num)s orders", n),
        "more": ngettext("+%(num)s more", "+%(num)s more", n),
        "logout_pending": ngettext(
            "%(num)s visit is only on this phone. Send it before logging out?",
            "%(num)s visits are only on this phone. Send them before logging out?",
            n,
        ),
    }


def plural_forms() -> dict[str, list[str]]:
    """Each counted word as [one, other] in the user's language."""
    one, other = _counted(1), _counted(2)
    return {key: [one[key], other[key]] for key in one}


def js_strings() -> dict[str, Any]:
    """The script's words and counted words in the user's language."""
    return {
        "words": {key: str(value) for key, value in JS_STRINGS.items()},
        "plurals": plural_forms(),
    }


def js_strings_json() -> Markup:
    """:func:`js_strings` as JSON, built once per language and kept by the app.

    The words never change while the app runs (catalogues are compiled before it starts),
    yet translating a hundred lazy strings and serialising them cost about a third of
    every render of the rep's page, the page each phone reloads all day.
    """
    cache: dict[str, Markup] = current_app.extensions.setdefault("rep_js_strings", {})
    locale = str(get_locale())
    if locale not in cache:
        # Jinja's own tojson escaping: safe inside a <script> element.
        cache[locale] = htmlsafe_json_dumps(js_strings(), dumps=json.dumps, sort_keys=True)
    return cache[locale]
