"""The telesales seat's call list: its customers ranked by score, callbacks on time, calls logged.

Field customers whose visit was skipped today join the call list of the team's seat
when the company's planning settings say so (`telesales_push_skipped`); the list
reads them from today's skipped stops and visits, so nothing has to be copied.

Rescue cases of the team's field portfolios (score purpose "reactivation") that the company's
reactivation policy does not send straight to the field are worked here first: each seat gets
the most valuable of them every day (`reactivation_daily_calls`, by the monthly revenue they
used to bring), leaving out those contacted within `reactivation_retry_days`. A call that ends
with "visit requested" puts the customer on its rep's next field plan (``routing``).

A supervisor may send any customer of the team to a seat's list from a due date with a note
(:mod:`app.services.actions.telesales`): it stays on the list, ranked with the others, until
the seat's call with an effective outcome answers it.

One module per job:

- :mod:`.settings`: the company's telesales settings and what counts as a contact;
- :mod:`.sources`: who joins a seat's list (pushed, rescue cases, requests, covers);
- :mod:`.call_list`: the day's list in calling order, and its progress;
- :mod:`.calls`: logging a call, and the numbers to dial.
"""

from app.services.telesales.call_list import get_call_list
from app.services.telesales.calls import (
    CallError,
    CallInput,
    callback_horizon,
    log_call,
    parse_callback,
    parse_money,
    tel_number,
    whatsapp_number,
)
from app.services.telesales.settings import (
    EFFECTIVE,
    HISTORY_DAYS,
    daily_calls,
    no_sale_reasons,
    reactivation_calls,
    reactivation_retry_days,
)
from app.services.telesales.sources import (
    push_skipped_to_telesales,
    reactivation_customer_ids,
    team_seats,
)

__all__ = [
    "EFFECTIVE",
    "HISTORY_DAYS",
    "CallError",
    "CallInput",
    "callback_horizon",
    "daily_calls",
    "get_call_list",
    "log_call",
    "no_sale_reasons",
    "parse_callback",
    "parse_money",
    "push_skipped_to_telesales",
    "reactivation_calls",
    "reactivation_customer_ids",
    "reactivation_retry_days",
    "team_seats",
    "tel_number",
    "whatsapp_number",
]
