"""Customers of a company's portfolios."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONType, Money, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Channel(enum.StrEnum):
    """How a customer is served: visited in the field or called by telesales."""

    FIELD = "field"
    TELESALES = "telesales"


class Customer(Base):
    """A point of sale in someone's portfolio (carteira)."""

    __tablename__ = "customers"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "erp_code"),
        sa.Index("ix_customers_owner_active", "owner_id", "active"),
        sa.Index("ix_customers_company_segment", "company_id", "segment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    erp_code: Mapped[str] = mapped_column(sa.String(60))
    legal_name: Mapped[str] = mapped_column(sa.String(200))
    trade_name: Mapped[str] = mapped_column(sa.String(200))
    tax_id: Mapped[str | None] = mapped_column(sa.String(20))
    segment: Mapped[str] = mapped_column(sa.String(60))
    street: Mapped[str | None] = mapped_column(sa.String(200))
    number: Mapped[str | None] = mapped_column(sa.String(20))
    district: Mapped[str | None] = mapped_column(sa.String(120))
    city: Mapped[str | None] = mapped_column(sa.String(120))
    state: Mapped[str | None] = mapped_column(sa.String(2))
    postal_code: Mapped[str | None] = mapped_column(sa.String(10))
    zone: Mapped[str | None] = mapped_column(sa.String(60))
    latitude: Mapped[float | None] = mapped_column(sa.Float)
    longitude: Mapped[float | None] = mapped_column(sa.Float)
    geocode_status: Mapped[str | None] = mapped_column(sa.String(20))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    whatsapp: Mapped[str | None] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # {"mon": [["08:00", "12:00"], ["14:00", "18:00"]], "sun": [], ...}; a missing
    # or empty day means closed.
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    service_minutes: Mapped[int] = mapped_column(default=20)
    visit_frequency_days: Mapped[int] = mapped_column(default=7)
    channel: Mapped[Channel] = mapped_column(
        sa.Enum(Channel, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=Channel.FIELD,
    )
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # Bit i set = the region's truck delivers on weekday i (Monday = 0).
    delivery_weekdays: Mapped[int] = mapped_column(default=0b0011111)
    active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship()

    @property
    def display_name(self) -> str:
        """Name the rep recognises on the street: the trade name."""
        return self.trade_name or self.legal_name

    @property
    def has_position(self) -> bool:
        """Tell whether the customer can be put on a map or a route."""
        return self.latitude is not None and self.longitude is not None

    def delivers_on(self, weekday: int) -> bool:
        """Tell whether goods can be delivered on a weekday (Monday = 0)."""
        return bool(self.delivery_weekdays >> weekday & 1)

    def __repr__(self) -> str:
        return f"<Customer {self.erp_code} {self.trade_name}>"
