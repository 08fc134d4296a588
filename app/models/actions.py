"""What a supervisor hands to someone else: a customer sent to a telesales seat's call list."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, utcnow
from app.models.customer import Customer


class CallRequest(Base):
    """A customer put on a telesales seat's list from a due date, with the supervisor's note.

    It stays on the seat's list from ``due_date`` until the seat logs a call for the customer
    (``closed_at`` and ``contact_id`` then say which call answered it).
    """

    __tablename__ = "call_requests"
    __table_args__ = (
        sa.Index("ix_call_requests_seat_due", "seat_id", "due_date"),
        sa.Index("ix_call_requests_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    seat_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    due_date: Mapped[date] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="SET NULL")
    )

    customer: Mapped[Customer] = relationship()
