"""Orders with their lines, and receivables (títulos)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Money, UTCDateTime, utcnow


class Order(Base):
    """A customer's order, from the ERP or taken on a visit or call."""

    __tablename__ = "orders"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "erp_code"),
        sa.Index("ix_orders_customer_date", "customer_id", "order_date"),
        sa.Index("ix_orders_company_date", "company_id", "order_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    erp_code: Mapped[str] = mapped_column(sa.String(60))
    order_date: Mapped[date] = mapped_column(sa.Date)
    total: Mapped[Decimal] = mapped_column(Money)
    rep_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contacts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(Base):
    """One product on an order; the category feeds the product-mix analysis."""

    __tablename__ = "order_lines"
    __table_args__ = (sa.Index("ix_order_lines_order_category", "order_id", "category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"))
    product_code: Mapped[str] = mapped_column(sa.String(60))
    product_name: Mapped[str] = mapped_column(sa.String(200))
    category: Mapped[str] = mapped_column(sa.String(80))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(14, 3))
    unit_price: Mapped[Decimal] = mapped_column(sa.Numeric(14, 4))
    total: Mapped[Decimal] = mapped_column(Money)

    order: Mapped[Order] = relationship(back_populates="lines")


class Receivable(Base):
    """An invoice the customer owes; overdue ones may block sales on credit."""

    __tablename__ = "receivables"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "erp_code"),
        sa.Index("ix_receivables_customer_open", "customer_id", "paid_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    erp_code: Mapped[str] = mapped_column(sa.String(60))
    issue_date: Mapped[date] = mapped_column(sa.Date)
    due_date: Mapped[date] = mapped_column(sa.Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    paid_date: Mapped[date | None] = mapped_column(sa.Date)

    def is_overdue(self, on: date) -> bool:
        """Tell whether the invoice is unpaid past its due date on a given day."""
        return self.paid_date is None and self.due_date < on
