"""One line of a customer card's explanation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reason:
    """A message key, the values it shows, and the points its component adds to the score.

    ``detail`` marks a fact worth showing on the card that does not make the customer more
    urgent today (a customer who bought three days ago is not a priority for its ticket).
    """

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    points: float = 0.0
    detail: bool = False
