"""settings: move renamed planning keys to their one name (checkin_radius_m, push_skipped_to_telesales)

Revision ID: 7b3e9c4d2a10
Revises: a7c3e91b2d40
Create Date: 2026-11-28 18:00:00.000000

Every settings version is rewritten in place: the value under an old name moves to the new
name (when both exist, the new name's value was the one readers used first for the radius,
the old one for the telesales push; that reading is kept), and the old key goes. Versions
stay immutable in meaning: each reads back exactly as before.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "7b3e9c4d2a10"
down_revision = "a7c3e91b2d40"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
settings = sa.table(
    "company_settings", sa.column("id", sa.Integer), sa.column("planning", JSON)
)
# old name -> (new name, whose value won when a version stored both)
RENAMED = {
    "checkin_radius_m": ("check_in_radius_m", "old"),
    "push_skipped_to_telesales": ("telesales_push_skipped", "old"),
}


def _rename(planning: dict, renames: dict) -> dict | None:
    """Return the planning section with old names moved, or None when nothing changes."""
    if not any(old in planning for old in renames):
        return None
    out = dict(planning)
    for old, (new, winner) in renames.items():
        if old in out:
            value = out.pop(old)
            if new not in out or winner == "old":
                out[new] = value
    return out


def _rewrite(renames: dict) -> None:
    bind = op.get_bind()
    for row_id, planning in bind.execute(sa.select(settings.c.id, settings.c.planning)).all():
        changed = _rename(planning or {}, renames)
        if changed is not None:
            bind.execute(
                sa.update(settings).where(settings.c.id == row_id).values(planning=changed)
            )


def upgrade():
    _rewrite(RENAMED)


def downgrade():
    # The old code read both names; nothing to undo for it to work.
    pass
