"""Users, roles and a field rep's work profile."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, UTCDateTime, str_enum, utcnow

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
    role: Mapped[Role] = mapped_column(str_enum(Role))
    erp_code: Mapped[str | None] = mapped_column(sa.String(60))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    locale: Mapped[str | None] = mapped_column(sa.String(10))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # Set for a one-time password: the next login must choose a new one first.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    company: Mapped[Company] = relationship()
    team: Mapped[Team | None] = relationship(back_populates="members")
    work_profile: Mapped[WorkProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    time_off: Mapped[list[TimeOff]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="TimeOff.first_day"
    )

    def set_password(self, password: str) -> None:
        """Hash and keep the password; the clear text is never stored."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether the given clear text matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    # The secret of the login this object was loaded through (see app.services.logins);
    # a plain attribute, never stored.
    if TYPE_CHECKING:
        login_key: str | None
    else:
        login_key = None

    def __eq__(self, other: object) -> bool:
        """The same user when the same row.

        Flask-Login's mixin compares ``get_id()``, which is a login's secret here.
        """
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def get_id(self) -> str:
        """Flask-Login's id: the login's secret, so cookies name one revocable login, not a user."""
        if not self.login_key:
            raise RuntimeError("log users in through app.services.logins.start")
        return str(self.login_key)

    @property
    def owns_portfolio(self) -> bool:
        """Reps and telesales seats have a portfolio of their own."""
        return self.role in (Role.REP, Role.TELESALES)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class WorkProfile(Base):
    """How a field rep's day is shaped: places, hours, lunch and driving speed.

    The base (start and end place) may be known by its address only until it is
    geocoded; a rep without base coordinates cannot be routed (readiness lists them).
    """

    __tablename__ = "work_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    start_address: Mapped[str | None] = mapped_column(sa.String(300))
    start_lat: Mapped[float | None] = mapped_column(sa.Float)
    start_lon: Mapped[float | None] = mapped_column(sa.Float)
    end_address: Mapped[str | None] = mapped_column(sa.String(300))
    end_lat: Mapped[float | None] = mapped_column(sa.Float)
    end_lon: Mapped[float | None] = mapped_column(sa.Float)
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

    @property
    def has_base_position(self) -> bool:
        """Tell whether the base can be put on a route (start and end coordinates known)."""
        return None not in (self.start_lat, self.start_lon, self.end_lat, self.end_lon)


class TimeOffKind(enum.StrEnum):
    """Why a person is away; the calendar names it as the reason they were not planned."""

    VACATION = "vacation"
    SICK_LEAVE = "sick_leave"
    OTHER = "other"


class TimeOff(Base):
    """An inclusive date range a person does not work (vacation, sick leave...)."""

    __tablename__ = "time_off"
    __table_args__ = (
        sa.Index("ix_time_off_user_first", "user_id", "first_day"),
        sa.Index("ix_time_off_company_last", "company_id", "last_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    first_day: Mapped[date] = mapped_column(sa.Date)
    last_day: Mapped[date] = mapped_column(sa.Date)
    kind: Mapped[TimeOffKind] = mapped_column(
        str_enum(TimeOffKind),
        default=TimeOffKind.VACATION,
    )
    note: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="time_off")

    def covers(self, day: date) -> bool:
        """Tell whether the range includes a date."""
        return self.first_day <= day <= self.last_day
