"""Users import: upsert by e-mail; role, team, rep code and the work profile of reps and telesales.

Imported users get no usable password (an administrator sets one on the user page, under
the password policy); the import never sets passwords. A role change or a block ends the
user's open logins, as on the user page. The rules
of the user page apply (``app.services.accounts``): an administrator keeps their own role
and access, the company keeps an active administrator, a rep code belongs to one user.
A new rep or telesales seat gets a profile, and so does an existing one whose row gives
profile values: from the row's profile columns and the defaults of
``app.services.work_profiles`` for the rest.

One module per job: :mod:`.columns` (the file's columns), :mod:`.stored` (the users as they
stand), :mod:`.checks` (the rules across rows), :mod:`.changes` (planning, writing, export).
The import runner reads ``COLUMNS``, ``validate``, ``plan`` and ``apply`` from here.
"""

from app.services.imports.users.changes import apply, export_rows, plan
from app.services.imports.users.checks import validate
from app.services.imports.users.columns import COLUMNS

__all__ = ["COLUMNS", "apply", "export_rows", "plan", "validate"]
