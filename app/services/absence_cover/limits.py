"""The bounds and first values of a cover's knobs, and the error every step raises."""

from __future__ import annotations

URGENT_DEFAULT = 6
URGENT_MAX = 40
MAX_ADDED_DEFAULT = 4  # the form's first value: extra visits one rep takes at most
MAX_ADDED_MAX = 40
CALLS_PER_SEAT_DEFAULT = 10  # the form's first value; the supervisor sets it per proposal
PHONE_MAX = 500
SOLVE_SECONDS = 2.0


class CoverError(ValueError):
    """A cover that cannot be made or applied; ``code`` names the problem for the page."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_counts(urgent_count: int, phone_capacity: int, max_added: int) -> None:
    """Refuse a knob out of its bounds before anything is read or written."""
    if not 0 <= urgent_count <= URGENT_MAX:
        raise CoverError("urgent_count")
    if not 0 <= max_added <= MAX_ADDED_MAX:
        raise CoverError("max_added")
    if not 0 <= phone_capacity <= PHONE_MAX:
        raise CoverError("phone_capacity")
