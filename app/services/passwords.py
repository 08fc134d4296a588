"""The password policy, after NIST SP 800-63B (5.1.1.2): length and a blocklist, no
composition rules.

A password is refused when it is shorter than :data:`MIN_LENGTH`, longer than
:data:`MAX_LENGTH`, on the shipped list of common and breached passwords (also once digits
and symbols are stripped from its ends: ``dragon2024!`` is ``dragon``), a repetition or a
sequence (``aaaaaaaaaaaa``, ``123456789012``), or when it contains the person's name, their
e-mail's user part or the name of the service. Nothing asks for digits, capitals or
symbols: those rules make passwords harder to remember, not to guess. Every path that sets
a password (user page, own change, first password, administrator's reset, ``flask company
create``, ``flask users create``) calls :func:`problems`; the users import never sets one.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from functools import cache
from itertools import pairwise
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128  # NIST: at least 64; long passphrases welcome
LIST_FILE = Path(__file__).resolve().parent.parent / "security" / "data" / "common_passwords.txt"
SERVICE_WORDS = ("roteiro",)
# Parts of a name or e-mail shorter than this are too common inside words to refuse on.
MIN_PERSONAL_PART = 4
_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_PARTS = re.compile(r"[^0-9a-z]+")


class Problem(enum.StrEnum):
    """Why the policy refuses a password."""

    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    COMMON = "common"
    PATTERN = "pattern"
    PERSONAL = "personal"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped blocklist, lower-cased (read once per process)."""
    lines = LIST_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def _fold(text: str) -> str:
    """Lower-case without accents, so "José" and "jose" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_common(password: str) -> bool:
    """On the list as typed, or once the digits and symbols around a listed word are removed."""
    folded = _fold(password)
    listed = common_passwords()
    return folded in listed or _ENDS.sub("", folded) in listed


def is_pattern(password: str) -> bool:
    """A short unit repeated (``abcabcabcabc``) or a run of consecutive characters
    (``345678901234``)."""
    folded = _fold(password)
    size = len(folded)
    if size < 2:
        return False
    for unit in range(1, size // 2 + 1):
        if (folded[:unit] * (size // unit + 1))[:size] == folded:
            return True
    steps = {(ord(b) - ord(a)) for a, b in pairwise(folded)}
    if folded.isdigit():
        steps = {step % 10 for step in steps}
        return steps in ({1}, {9})
    return steps in ({1}, {-1})


def personal_words(*, email: str | None, name: str | None) -> set[str]:
    """The words of a person's name and e-mail user part a password must not contain."""
    words = set(SERVICE_WORDS)
    local = _fold(email or "").split("@")[0]
    for text in (local, _fold(name or "")):
        words.update(part for part in _PARTS.split(text) if len(part) >= MIN_PERSONAL_PART)
    if len(local) >= MIN_PERSONAL_PART:
        words.add(local)
    return words


def problems(password: str, *, email: str | None = None, name: str | None = None) -> list[Problem]:
    """Everything the policy has against a password (empty: accepted)."""
    if len(password) < MIN_LENGTH:
        return [Problem.TOO_SHORT]
    if len(password) > MAX_LENGTH:
        return [Problem.TOO_LONG]
    found = []
    if is_common(password):
        found.append(Problem.COMMON)
    elif is_pattern(password):
        found.append(Problem.PATTERN)
    folded = _fold(password)
    if any(word in folded for word in personal_words(email=email, name=name)):
        found.append(Problem.PERSONAL)
    return found
