"""How a company's files map onto the import fields, remembered per kind."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONType, UTCDateTime, utcnow


class ImportMapping(Base):
    """The column mapping an admin chose for one import kind: file header -> field key
    (None: ignore).

    An ERP exports the same headers every time, so the mapping made once in the preview
    (or given to `flask import --mapping`) is reused for the next file of that kind.
    """

    __tablename__ = "import_mappings"
    __table_args__ = (sa.UniqueConstraint("company_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    # {"COD_CLI": "erp_code", "OBS INTERNA": null, ...}
    columns: Mapped[dict[str, str | None]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
