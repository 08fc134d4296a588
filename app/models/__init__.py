"""All models, imported here so Alembic and the app see one metadata."""

from app.models.admin import ApiToken, AuditLog, GeocodeCache
from app.models.base import Base, utcnow
from app.models.company import Company, CompanySettings, Team
from app.models.contact import Contact, ContactKind, Outcome
from app.models.customer import WEEKDAY_KEYS, Channel, Customer
from app.models.planning import (
    Appointment,
    JobLock,
    Plan,
    PlanningRun,
    PlanningRunRep,
    PlanStatus,
    PlanStop,
    RunStatus,
    StopStatus,
)
from app.models.sales import Order, OrderLine, Receivable
from app.models.scoring import ScoreSnapshot
from app.models.user import Role, User, WorkProfile

__all__ = [
    "WEEKDAY_KEYS",
    "ApiToken",
    "Appointment",
    "AuditLog",
    "Base",
    "Channel",
    "Company",
    "CompanySettings",
    "Contact",
    "ContactKind",
    "Customer",
    "GeocodeCache",
    "JobLock",
    "Order",
    "OrderLine",
    "Outcome",
    "Plan",
    "PlanStatus",
    "PlanStop",
    "PlanningRun",
    "PlanningRunRep",
    "Receivable",
    "Role",
    "RunStatus",
    "ScoreSnapshot",
    "StopStatus",
    "Team",
    "User",
    "WorkProfile",
    "utcnow",
]
