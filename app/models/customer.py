"""Customers of a company's portfolios."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONType, Money, UTCDateTime, str_enum, utcnow

if TYPE_CHECKING:
    from app.models.user import User

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Channel(enum.StrEnum):
    """How a customer is served: visited in the field or called by telesales."""

    FIELD = "field"
    TELESALES = "telesales"


class GeocodeStatus(enum.StrEnum):
    """Where a customer's position came from; None: not geocoded yet (or the address changed)."""

    OK = "ok"  # found by the geocoder
    FAILED = "failed"  # the geocoder does not know the address: an admin fixes it
    MANUAL = "manual"  # set by hand on the map or typed in


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
    geocode_status: Mapped[GeocodeStatus | None] = mapped_column(str_enum(GeocodeStatus))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    whatsapp: Mapped[str | None] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    # {"mon": [["08:00", "12:00"], ["14:00", "18:00"]], "sun": [], ...}; in a
    # non-empty document a missing or empty day means closed; {} means "no
    # restriction". Text form: app/services/opening_hours.py.
    opening_hours: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    service_minutes: Mapped[int] = mapped_column(default=20)
    visit_frequency_days: Mapped[int] = mapped_column(default=7)
    channel: Mapped[Channel] = mapped_column(
        str_enum(Channel),
        default=Channel.FIELD,
    )
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # Bit i set = the region's truck delivers on weekday i (Monday = 0).
    delivery_weekdays: Mapped[int] = mapped_column(default=0b0011111)
    active: Mapped[bool] = mapped_column(default=True)
    # Marked lost by a supervisor (with a reason key of the company's list): out of the active
    # base, counted apart by the KPIs. Both None for a customer never lost or won back.
    lost_on: Mapped[date | None] = mapped_column(sa.Date)
    lost_reason: Mapped[str | None] = mapped_column(sa.String(60))
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

    @property
    def position(self) -> tuple[float, float] | None:
        """(latitude, longitude), or None when either is unknown."""
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude

    def delivers_on(self, weekday: int) -> bool:
        """Tell whether goods can be delivered on a weekday (Monday = 0)."""
        return bool(self.delivery_weekdays >> weekday & 1)

    def __repr__(self) -> str:
        return f"<Customer {self.erp_code} {self.trade_name}>"
