"""Contacts: visits and calls, planned or not, with their outcome."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, UTCDateTime, str_enum, utcnow
from app.models.customer import Customer


class ContactKind(enum.StrEnum):
    """A visit in person or a call (phone or WhatsApp)."""

    VISIT = "visit"
    CALL = "call"


class Outcome(enum.StrEnum):
    """How a contact ended."""

    ORDER = "order"
    NO_SALE = "no_sale"
    CLOSED = "closed"
    RESCHEDULED = "rescheduled"
    SKIPPED = "skipped"
    NOT_REACHED = "not_reached"
    CALLBACK = "callback"
    COLLECTED = "collected"
    VISIT_REQUESTED = "visit_requested"  # a call in which the customer asked for a field visit


class Contact(Base):
    """A visit or call; the client UUID makes offline re-sends idempotent."""

    __tablename__ = "contacts"
    __table_args__ = (
        sa.Index("ix_contacts_customer_day", "customer_id", "contact_date"),
        sa.Index("ix_contacts_user_day", "user_id", "contact_date"),
        sa.Index("ix_contacts_company_updated", "company_id", "updated_at"),
        # Dashboards and the plan-vs-done table read one company's contacts of a date range;
        # without it PostgreSQL walks every customer's contacts as history grows.
        sa.Index("ix_contacts_company_day", "company_id", "contact_date"),
        # Deleting or re-planning stops sets this to NULL; without an index each
        # deleted stop scans every contact.
        sa.Index("ix_contacts_plan_stop", "plan_stop_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[uuid.UUID] = mapped_column(sa.Uuid, unique=True, default=uuid.uuid4)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[ContactKind] = mapped_column(str_enum(ContactKind))
    planned: Mapped[bool] = mapped_column(default=False)
    plan_stop_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("plan_stops.id", ondelete="SET NULL")
    )
    # Local calendar day of the contact, kept apart from the timestamps so that
    # "visited today" queries do not depend on time-zone arithmetic in SQL.
    contact_date: Mapped[date] = mapped_column(sa.Date)
    check_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_in_lat: Mapped[float | None] = mapped_column(sa.Float)
    check_in_lon: Mapped[float | None] = mapped_column(sa.Float)
    check_in_accuracy_m: Mapped[float | None] = mapped_column(sa.Float)
    check_in_distance_m: Mapped[float | None] = mapped_column(sa.Float)
    check_in_flagged: Mapped[bool] = mapped_column(default=False)
    check_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    check_out_lat: Mapped[float | None] = mapped_column(sa.Float)
    check_out_lon: Mapped[float | None] = mapped_column(sa.Float)
    # A check-out the rep recorded without a check-in (shown flagged to the supervisor).
    no_check_in: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The phone's clock was off: the times were moved to the server's clock.
    time_flagged: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Last same-day correction of the outcome (the change itself is in the audit log).
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[Outcome | None] = mapped_column(str_enum(Outcome))
    no_sale_reason: Mapped[str | None] = mapped_column(sa.String(60))
    order_value: Mapped[Decimal | None] = mapped_column(Money)
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship()

    @property
    def is_open(self) -> bool:
        """A visit checked in and not yet checked out."""
        return self.check_in_at is not None and self.outcome is None
