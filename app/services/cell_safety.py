"""Text crossing the boundary: control characters out on the way in, formulas defused
on the way out.

Input (imports and API bodies) goes through ``clean_text``: C0/C1 control characters
other than tab, line feed and carriage return carry no meaning in a name, an address or
a note, break XML (so every XLSX export of the scope) and confuse terminals, so they are
dropped where the text enters, not patched where it leaves.

Output to spreadsheets goes through ``defuse``: a text cell that starts with ``=``,
``+``, ``-``, ``@``, tab or carriage return is read as a formula by Excel, LibreOffice
and Google Sheets (OWASP "CSV Injection"). Such text gets a leading single quote, the
spreadsheet's own "this is text" marker. Numbers are never touched: only text cells can
carry a formula, and a real ``-12.5`` must stay a number. An import undoes the quote
(``undo_defuse``) so that exporting and importing back changes nothing.
"""

from __future__ import annotations

import re
from typing import Final

# C0 controls except tab (\x09), line feed (\x0a) and carriage return (\x0d); DEL; C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
QUOTE: Final = "'"


def clean_text(text: str) -> str:
    """The text without control characters (tab and line breaks are kept)."""
    return _CONTROLS.sub("", text)


def looks_like_formula(text: str) -> bool:
    """Tell whether a spreadsheet would read this text cell as a formula."""
    return text.startswith(FORMULA_STARTS)


def defuse(text: str) -> str:
    """The text as an inert spreadsheet cell: no control characters, quoted if formula-like."""
    text = clean_text(text)
    return QUOTE + text if looks_like_formula(text) else text


def undo_defuse(text: str) -> str:
    """Drop the quote ``defuse`` added (a cell reading `'=x` comes back as `=x`)."""
    if text.startswith(QUOTE) and looks_like_formula(text[1:]):
        return text[1:]
    return text
