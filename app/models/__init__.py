"""All models, imported here so Alembic and the app see one metadata."""

from app.models.absence import (
    AbsenceCover,
    AbsenceCoverLine,
    CoverAction,
    CoverKind,
    CoverStatus,
)
from app.models.actions import CallRequest
from app.models.admin import ApiToken, AuditLog, GeocodeCache
from app.models.base import Base, utcnow
from app.models.company import Company, CompanyDayOff, CompanySettings, Team
from app.models.contact import Contact, ContactKind, Outcome
from app.models.customer import WEEKDAY_KEYS, Channel, Customer, GeocodeStatus
from app.models.imports import ImportMapping
from app.models.login import RateLimitCounter, UserLogin
from app.models.planning import (
    Appointment,
    JobLock,
    Plan,
    PlanningRun,
    PlanningRunRep,
    PlanSource,
    PlanStatus,
    PlanStop,
    RepRunStatus,
    RunStatus,
    RunTrigger,
    StopKind,
    StopStatus,
)
from app.models.sales import Order, OrderLine, Receivable
from app.models.scoring import ScoreHistory, ScorePurpose, ScoreSnapshot
from app.models.targets import MonthlyTarget
from app.models.user import Role, TimeOff, TimeOffKind, User, WorkProfile
from app.models.visit_calendar import (
    CalendarSlot,
    CalendarStatus,
    CalendarTrigger,
    VisitCalendar,
)

__all__ = [
    "WEEKDAY_KEYS",
    "AbsenceCover",
    "AbsenceCoverLine",
    "ApiToken",
    "Appointment",
    "AuditLog",
    "Base",
    "CalendarSlot",
    "CalendarStatus",
    "CalendarTrigger",
    "CallRequest",
    "Channel",
    "Company",
    "CompanyDayOff",
    "CompanySettings",
    "Contact",
    "ContactKind",
    "CoverAction",
    "CoverKind",
    "CoverStatus",
    "Customer",
    "GeocodeCache",
    "GeocodeStatus",
    "ImportMapping",
    "JobLock",
    "MonthlyTarget",
    "Order",
    "OrderLine",
    "Outcome",
    "Plan",
    "PlanSource",
    "PlanStatus",
    "PlanStop",
    "PlanningRun",
    "PlanningRunRep",
    "RateLimitCounter",
    "Receivable",
    "RepRunStatus",
    "Role",
    "RunStatus",
    "RunTrigger",
    "ScoreHistory",
    "ScorePurpose",
    "ScoreSnapshot",
    "StopKind",
    "StopStatus",
    "Team",
    "TimeOff",
    "TimeOffKind",
    "User",
    "UserLogin",
    "VisitCalendar",
    "WorkProfile",
    "utcnow",
]
