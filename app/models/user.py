"""Users, roles and a field rep's work profile."""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.company import Company, Team


class Role(enum.StrEnum):
    """What a user does; decides which pages and which customers they see."""

    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    REP = "rep"
    TELESALES = "telesales"


class User(UserMixin, Base):
    """Someone who logs in: admin, supervisor, field rep or telesales seat."""

    __tablename__ = "users"
    __table_args__ = (sa.UniqueConstraint("company_id", "erp_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("teams.id"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    erp_code: Mapped[str | None] = mapped_column(sa.String(60))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company: Mapped[Company] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="members")
    work_profile: Mapped[WorkProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        """Hash and keep the password; the clear text is never stored."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether the given clear text matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    @property
    def owns_portfolio(self) -> bool:
        """Reps and telesales seats have a portfolio of their own."""
        return self.role in (Role.REP, Role.TELESALES)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class WorkProfile(Base):
    """How a field rep's day is shaped: places, hours, lunch and driving speed."""

    __tablename__ = "work_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    start_address: Mapped[str | None] = mapped_column(sa.String(300))
    start_lat: Mapped[float] = mapped_column(sa.Float)
    start_lon: Mapped[float] = mapped_column(sa.Float)
    end_address: Mapped[str | None] = mapped_column(sa.String(300))
    end_lat: Mapped[float] = mapped_column(sa.Float)
    end_lon: Mapped[float] = mapped_column(sa.Float)
    day_start: Mapped[time] = mapped_column(sa.Time, default=time(8, 0))
    day_end: Mapped[time] = mapped_column(sa.Time, default=time(18, 0))
    lunch_earliest: Mapped[time | None] = mapped_column(sa.Time, default=time(11, 30))
    lunch_latest: Mapped[time | None] = mapped_column(sa.Time, default=time(13, 30))
    lunch_minutes: Mapped[int] = mapped_column(default=60)
    max_working_minutes: Mapped[int] = mapped_column(default=540)
    # Bit i set = works on weekday i (Monday = 0), as in datetime.weekday().
    working_weekdays: Mapped[int] = mapped_column(default=0b0011111)
    speed_profile: Mapped[str] = mapped_column(sa.String(40), default="sao_paulo_urban")
    max_visits: Mapped[int | None] = mapped_column()

    user: Mapped[User] = relationship(back_populates="work_profile")

    def works_on(self, weekday: int) -> bool:
        """Tell whether the rep works on a weekday (Monday = 0)."""
        return bool(self.working_weekdays >> weekday & 1)
