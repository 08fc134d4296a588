"""The one ownership-scoping mechanism every query for customers and their data goes through.

Reps and telesales see their own portfolio, supervisors their team's, admins their
company's. Reading something outside the scope raises the domain's `NotFound` (answered
404 by `app/errors.py`, never 403), so ids of other portfolios cannot even be probed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from app.extensions import db
from app.models import Customer, Role, User
from app.services.errors import NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Scope:
    """What one user may see, expressed as SQL filters."""

    user_id: int
    company_id: int
    role: Role
    team_id: int | None

    @classmethod
    def of(cls, user: User) -> Scope:
        """Build the scope of a (logged-in) user."""
        return cls(
            user_id=user.id, company_id=user.company_id, role=user.role, team_id=user.team_id
        )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    def visible_user_ids(self) -> sa.ScalarSelect[Any] | sa.Select[Any]:
        """Sub-select of the users whose portfolios this scope covers."""
        query = sa.select(User.id).where(User.company_id == self.company_id)
        if self.is_admin:
            return query
        if self.is_supervisor:
            return (
                query.where(User.team_id == self.team_id)
                if self.team_id
                else query.where(sa.false())
            )
        return query.where(User.id == self.user_id)

    def user_filter(self) -> sa.ColumnElement[bool]:
        """Filter on `User` rows: the people this scope may see."""
        if self.is_admin:
            return User.company_id == self.company_id
        return User.id.in_(self.visible_user_ids())

    def customer_filter(self) -> sa.ColumnElement[bool]:
        """Filter on `Customer` rows: the portfolios this scope may see."""
        in_company = Customer.company_id == self.company_id
        if self.is_admin:
            return in_company
        return sa.and_(in_company, Customer.owner_id.in_(self.visible_user_ids()))

    def owner_filter(self, column: Any) -> sa.ColumnElement[bool]:
        """Filter on any `<table>.user_id`-like column (plans, contacts, runs per rep)."""
        return column.in_(self.visible_user_ids())

    def customers(self) -> sa.Select[Customer]:
        """Select the customers in scope."""
        return sa.select(Customer).where(self.customer_filter())

    def customer_ids(self) -> sa.Select[Any]:
        """Sub-select of the ids of customers in scope."""
        return sa.select(Customer.id).where(self.customer_filter())

    def get_customer(self, customer_id: int) -> Customer:
        """Load one customer in scope; `NotFound` otherwise (also for other portfolios)."""
        customer = db.session.scalar(self.customers().where(Customer.id == customer_id))
        if customer is None:
            raise NotFound("customer")
        return customer

    def get_user(self, user_id: int) -> User:
        """Load one user in scope; `NotFound` otherwise."""
        user = db.session.scalar(sa.select(User).where(User.id == user_id, self.user_filter()))
        if user is None:
            raise NotFound("user")
        return user

    # The names branches in flight still call; both raise NotFound, answered 404.
    get_customer_or_404 = get_customer
    get_user_or_404 = get_user

    def can_see_user(self, user_id: int) -> bool:
        """Tell whether a user's data is in scope."""
        return (
            db.session.scalar(
                sa.select(sa.func.count()).where(User.id == user_id, self.user_filter())
            )
            == 1
        )
