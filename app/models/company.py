"""Companies, their teams and their versioned settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONType, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class Company(Base):
    """A distributor using Roteiro; every other row belongs to exactly one."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), default="America/Sao_Paulo")
    currency: Mapped[str] = mapped_column(sa.String(3), default="BRL")
    # Brazilian state (UF) whose holidays the company observes, e.g. "SP".
    state: Mapped[str] = mapped_column(sa.String(2), default="SP", server_default="SP")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    teams: Mapped[list[Team]] = relationship(back_populates="company")

    def __repr__(self) -> str:
        return f"<Company {self.slug}>"


class Team(Base):
    """A supervisor's team of reps and telesales seats."""

    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("company_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))

    company: Mapped[Company] = relationship(back_populates="teams")
    members: Mapped[list[User]] = relationship(back_populates="team")


class CompanyDayOff(Base):
    """Days the whole company does not work beyond national and state holidays.

    Municipal holidays, collective vacation, inventory days: an inclusive date range
    with a name the calendar shows as the reason nobody was planned.
    """

    __tablename__ = "company_days_off"
    __table_args__ = (sa.Index("ix_company_days_off_company_last", "company_id", "last_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    first_day: Mapped[date] = mapped_column(sa.Date)
    last_day: Mapped[date] = mapped_column(sa.Date)
    name: Mapped[str] = mapped_column(sa.String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    def covers(self, day: date) -> bool:
        """Tell whether the range includes a date."""
        return self.first_day <= day <= self.last_day


class CompanySettings(Base):
    """One immutable version of a company's weights, thresholds and policies.

    Settings are never edited in place: saving creates the next version, so every
    score snapshot and plan can say which settings produced it.
    """

    __tablename__ = "company_settings"
    __table_args__ = (sa.UniqueConstraint("company_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    version: Mapped[int] = mapped_column(sa.Integer)
    scoring: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    planning: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    policies: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
