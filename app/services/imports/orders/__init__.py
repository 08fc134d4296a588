"""Orders import: one row per order line, lines grouped by order code; upsert by order code.

An order is written whole: its lines in the file replace its stored lines. A blank
customer, date or rep keeps the stored order's; a blank description, category or line
total keeps the stored line's (the line with the same product code, in order), the total
only while quantity and price are unchanged.

One module per job: :mod:`.columns` (the file's columns), :mod:`.grouping` (rows into
orders), :mod:`.lines` (stored and resolved lines), :mod:`.changes` (planning, writing, export).
The import runner reads ``COLUMNS``, ``group``, ``plan`` and ``apply`` from here.
"""

from app.services.imports.orders.changes import apply, export_rows, plan
from app.services.imports.orders.columns import COLUMNS
from app.services.imports.orders.grouping import group

__all__ = ["COLUMNS", "apply", "export_rows", "group", "plan"]
