"""Geocoding of customers without a position (geopy; Nominatim by default), cached per address.

Nominatim's usage policy asks for an identifying User-Agent and at most one request per
second: `RateLimiter` spaces the calls; `GeocodeCache` makes every address a one-time
lookup (misses are cached too, so a bad address is not asked again until it changes).
Check-ins repeatedly far from the stored position suggest a correction.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim, get_geocoder_for_service

from app.extensions import db
from app.models import (
    AuditLog,
    Contact,
    Customer,
    GeocodeCache,
    GeocodeStatus,
    User,
    WorkProfile,
)
from optimizer.model import Location
from optimizer.travel import geodesic_m

FLAG_MIN = 3
FLAG_WINDOW_DAYS = 60
CLUSTER_M = 250.0


def user_agent() -> str:
    """`Roteiro/<version> (+contact)`, as Nominatim's policy asks."""
    try:
        version = metadata.version("roteiro")
    except metadata.PackageNotFoundError:
        version = "dev"
    contact = current_app.config.get("GEOCODER_CONTACT") or "https://github.com/roteiro-app/roteiro"
    return f"Roteiro/{version} (+{contact})"


def make_geocoder() -> tuple[str, Callable[..., Any]]:
    """The configured provider's name and its rate-limited `geocode` function."""
    provider = (current_app.config.get("GEOCODER") or "nominatim").lower()
    url = current_app.config.get("GEOCODER_URL")
    options: dict[str, Any] = {"user_agent": user_agent(), "timeout": 10}
    if url:
        parts = urlsplit(url)
        options.update(scheme=parts.scheme or "https", domain=parts.netloc + parts.path.rstrip("/"))
    cls = Nominatim if provider == "nominatim" else get_geocoder_for_service(provider)
    geocoder = cls(**options)
    delay = float(current_app.config.get("GEOCODER_MIN_DELAY", 1.0))
    limited = RateLimiter(
        geocoder.geocode,
        min_delay_seconds=delay,
        max_retries=1,
        error_wait_seconds=5 * delay,
        swallow_exceptions=False,
    )
    if provider == "nominatim":
        return provider, lambda query: limited(query, country_codes="br")
    return provider, limited


def address_query(customer: Customer) -> str | None:
    """The one-line address sent to the geocoder (None when there is too little to find it)."""
    street = " ".join(p for p in (customer.street, customer.number) if p)
    city = " - ".join(p for p in (customer.city, customer.state) if p)
    if not street or not city:
        return None
    parts = [street, customer.district, city, customer.postal_code, "Brasil"]
    return ", ".join(p.strip() for p in parts if p and p.strip())


@dataclass
class GeocodeStats:
    """How a geocoding pass went."""

    found: int = 0
    failed: int = 0
    from_cache: int = 0
    errors: int = 0


def pending(*, company_id: int | None, limit: int) -> list[Customer]:
    """Customers with no position and no failed attempt on their current address."""
    query = sa.select(Customer).where(
        Customer.latitude.is_(None), Customer.geocode_status.is_(None), Customer.active.is_(True)
    )
    if company_id is not None:
        query = query.where(Customer.company_id == company_id)
    return list(db.session.scalars(query.order_by(Customer.id).limit(limit)))


def _lookup(
    query: str, provider: str, geocode: Callable[..., Any]
) -> tuple[GeocodeCache | None, bool]:
    """Cached answer, or ask the provider and cache it (None on a network/provider error);
    True if asked."""
    key = query.lower()[:500]
    cached = db.session.scalar(sa.select(GeocodeCache).where(GeocodeCache.query == key))
    if cached is not None:
        return cached, False
    try:
        location = geocode(query)
    except GeopyError:
        return None, True
    row = GeocodeCache(
        query=key,
        provider=provider,
        latitude=location.latitude if location else None,
        longitude=location.longitude if location else None,
        display_name=(location.address or "")[:500] if location else None,
    )
    db.session.add(row)
    db.session.flush()
    return row, True


def geocode_customers(
    *,
    company_id: int | None = None,
    limit: int = 100,
    progress: Callable[[int, int], None] | None = None,
) -> GeocodeStats:
    """Geocode up to `limit` pending customers; failures are marked for an admin to fix."""
    customers = pending(company_id=company_id, limit=limit)
    stats = GeocodeStats()
    if not customers:
        return stats
    provider, geocode = make_geocoder()
    for i, customer in enumerate(customers, 1):
        query = address_query(customer)
        hit, asked = _lookup(query, provider, geocode) if query else (None, False)
        if query and hit is None:
            stats.errors += 1
        elif hit is not None and hit.latitude is not None:
            customer.latitude, customer.longitude, customer.geocode_status = (
                hit.latitude,
                hit.longitude,
                GeocodeStatus.OK,
            )
            stats.found += 1
        else:
            customer.geocode_status = GeocodeStatus.FAILED
            stats.failed += 1
        if hit is not None and not asked:
            stats.from_cache += 1
        if progress:
            progress(i, len(customers))
    db.session.flush()
    return stats


def geocode_bases(*, company_id: int | None = None, limit: int = 100) -> GeocodeStats:
    """Geocode work-profile bases known only by their address (same cache and rate limit)."""
    query = (
        sa.select(WorkProfile)
        .join(User, User.id == WorkProfile.user_id)
        .where(
            User.active.is_(True),
            WorkProfile.start_lat.is_(None),
            WorkProfile.start_address.is_not(None),
        )
        .order_by(WorkProfile.id)
        .limit(limit)
    )
    if company_id is not None:
        query = query.where(User.company_id == company_id)
    profiles = list(db.session.scalars(query))
    stats = GeocodeStats()
    if not profiles:
        return stats
    provider, geocode = make_geocoder()
    for profile in profiles:
        hit, asked = _lookup(f"{profile.start_address}, Brasil", provider, geocode)
        if hit is None:
            stats.errors += 1
            continue
        if not asked:
            stats.from_cache += 1
        if hit.latitude is None:
            stats.failed += 1
            continue
        profile.start_lat = profile.end_lat = hit.latitude
        profile.start_lon = profile.end_lon = hit.longitude
        if profile.end_address in (None, profile.start_address):
            profile.end_address = profile.start_address
        stats.found += 1
    db.session.flush()
    return stats


def failed(*, company_id: int) -> list[Customer]:
    """Customers whose address could not be found (or that have no position at all)."""
    return list(
        db.session.scalars(
            sa.select(Customer)
            .where(
                Customer.company_id == company_id,
                Customer.active.is_(True),
                sa.or_(
                    Customer.geocode_status == GeocodeStatus.FAILED, Customer.latitude.is_(None)
                ),
            )
            .order_by(Customer.trade_name)
            .limit(500)
        )
    )


@dataclass(frozen=True)
class Suggestion:
    """Where flagged check-ins cluster, for a customer whose stored position looks wrong."""

    customer: Customer
    latitude: float
    longitude: float
    check_ins: int
    distance_m: float


def suggestions(*, company_id: int, today: date) -> list[Suggestion]:
    """Customers with >= 3 flagged check-ins in 60 days that cluster within 250 m of
    their median."""
    since = today - timedelta(days=FLAG_WINDOW_DAYS)
    rows = db.session.execute(
        sa.select(Contact.customer_id, Contact.check_in_lat, Contact.check_in_lon).where(
            Contact.company_id == company_id,
            Contact.check_in_flagged.is_(True),
            Contact.contact_date >= since,
            Contact.check_in_lat.is_not(None),
            Contact.check_in_lon.is_not(None),
        )
    ).all()
    points: dict[int, list[tuple[float, float]]] = {}
    for cid, lat, lon in rows:
        if lat is not None and lon is not None:  # the query excludes NULLs; this tells mypy
            points.setdefault(cid, []).append((lat, lon))
    found = []
    for cid, pts in points.items():
        if len(pts) < FLAG_MIN:
            continue
        centre = (statistics.median(p[0] for p in pts), statistics.median(p[1] for p in pts))
        middle = Location(*centre)
        near = [p for p in pts if geodesic_m(Location(*p), middle) <= CLUSTER_M]
        customer = db.session.get(Customer, cid)
        if len(near) < FLAG_MIN or customer is None:
            continue
        position = customer.position
        distance = geodesic_m(middle, Location(*position)) if position is not None else 0.0
        found.append(Suggestion(customer, centre[0], centre[1], len(near), distance))
    return sorted(found, key=lambda s: -s.check_ins)


def set_position(*, actor: User, customer: Customer, latitude: float, longitude: float) -> None:
    """An admin's correction of a customer's position (audited)."""
    old = [customer.latitude, customer.longitude]
    customer.latitude, customer.longitude, customer.geocode_status = (
        latitude,
        longitude,
        GeocodeStatus.MANUAL,
    )
    db.session.add(
        AuditLog(
            company_id=customer.company_id,
            actor_id=actor.id,
            action="customer.position",
            target=f"customer:{customer.id}",
            details={"from": old, "to": [latitude, longitude]},
        )
    )
    db.session.flush()
