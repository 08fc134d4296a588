"""Neighbourhoods, territories and clustered customer positions in Greater São Paulo."""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from functools import cache
from importlib import resources

from optimizer.model import Location
from optimizer.travel import geodesic_m

# A box around Greater São Paulo: every demo position must fall inside it.
GREATER_SP_BOX = (-23.80, -23.35, -46.95, -46.30)  # lat min, lat max, lon min, lon max

# Neighbourhood names of each rep's territory, in rep order (reps 1-4: team 1, 5-8: team 2).
TERRITORIES: tuple[tuple[str, ...], ...] = (
    ("Sé", "Bela Vista", "Liberdade", "Brás", "Bom Retiro"),
    ("Santana", "Vila Maria", "Tucuruvi", "Jaçanã", "Guarulhos"),
    ("Casa Verde", "Freguesia do Ó", "Pirituba", "Brasilândia", "Lapa"),
    (
        "Pinheiros",
        "Perdizes",
        "Butantã",
        "Morumbi",
        "Osasco",
        "Carapicuíba",
        "Barueri",
        "Taboão da Serra",
    ),
    ("Mooca", "Tatuapé", "Penha", "Vila Formosa", "Aricanduva", "Vila Prudente"),
    ("Sapopemba", "Itaquera", "São Miguel Paulista", "Guaianases", "Cidade Tiradentes", "Mauá"),
    (
        "Vila Mariana",
        "Moema",
        "Ipiranga",
        "Jabaquara",
        "São Caetano do Sul",
        "Santo André",
        "São Bernardo do Campo",
    ),
    (
        "Santo Amaro",
        "Cidade Ademar",
        "Campo Limpo",
        "Capão Redondo",
        "Interlagos",
        "Grajaú",
        "Jardim Ângela",
        "Diadema",
    ),
)

# The truck of each zone runs on fixed weekdays (bit i = weekday i, Monday = 0).
_MON, _TUE, _WED, _THU, _FRI = (1 << d for d in range(5))
DELIVERY_WEEKDAYS: dict[str, int] = {
    "Centro": _MON | _WED | _FRI,
    "Norte": _TUE | _THU,
    "Oeste": _TUE | _FRI,
    "Leste": _MON | _WED,
    "Sul": _TUE | _THU,
    "Grande SP": _WED | _FRI,
    "ABC": _MON | _THU,
}

# Density of points of sale relative to the area of the neighbourhood's disc.
_ZONE_DENSITY = {"Centro": 1.8, "Grande SP": 0.7, "ABC": 0.8}

# First three CEP digits by zone as integers (São Paulo city 01-08, Osasco/Barueri 06,
# Guarulhos 07, ABC 09).
_CEP_PREFIXES = {
    "Centro": (10, 15),
    "Norte": (20, 29),
    "Oeste": (50, 55),
    "Leste": (30, 39),
    "Sul": (40, 48),
    "Grande SP": (60, 71),
    "ABC": (90, 98),
}

OUTSIDE_CITY = {"Grande SP", "ABC"}


@dataclass(frozen=True)
class Neighbourhood:
    """A neighbourhood (or nearby city): its centre, delivery zone and safe radius."""

    name: str
    zone: str
    lat: float
    lon: float
    radius_km: float

    @property
    def city(self) -> str:
        """The municipality: São Paulo itself, or the nearby city named by the row."""
        return self.name if self.zone in OUTSIDE_CITY else "São Paulo"

    @property
    def weight(self) -> float:
        """Expected share of points of sale, from the disc's area and the zone's density."""
        return self.radius_km**2 * _ZONE_DENSITY.get(self.zone, 1.0)


@cache
def neighbourhoods() -> tuple[Neighbourhood, ...]:
    """Read the bundled neighbourhood table (see data/README.md for its source)."""
    text = (
        resources.files("app.demo").joinpath("data/sao-paulo-neighbourhoods.csv").read_text("utf-8")
    )
    rows = csv.DictReader(text.splitlines())
    return tuple(
        Neighbourhood(r["name"], r["zone"], float(r["lat"]), float(r["lon"]), float(r["radius_km"]))
        for r in rows
    )


def territory_of(rep_index: int) -> list[Neighbourhood]:
    """Neighbourhoods served by the rep with this 0-based index."""
    by_name = {n.name: n for n in neighbourhoods()}
    return [by_name[name] for name in TERRITORIES[rep_index]]


def offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    """Move a position by a small distance (equirectangular is exact enough at city scale)."""
    dlat = north_km / 111.32
    dlon = east_km / (111.32 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def in_greater_sp(lat: float, lon: float) -> bool:
    """Tell whether a position lies in the Greater São Paulo box."""
    lat_min, lat_max, lon_min, lon_max = GREATER_SP_BOX
    return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max


def sample_points(rng: random.Random, hood: Neighbourhood, n: int) -> list[tuple[float, float]]:
    """Draw n positions inside the neighbourhood: most around a few commercial streets,
    some scattered."""
    if n <= 0:
        return []
    radius = hood.radius_km
    hubs = [_point_in_disc(rng, 0.7 * radius) for _ in range(max(2, round(n / 20)))]
    points: list[tuple[float, float]] = []
    while len(points) < n:
        if rng.random() < 0.15:
            north, east = _point_in_disc(rng, radius)
        else:
            hub_n, hub_e = rng.choice(hubs)
            north = hub_n + rng.gauss(0.0, 0.3 * radius)
            east = hub_e + rng.gauss(0.0, 0.3 * radius)
        if math.hypot(north, east) <= radius:
            lat, lon = offset(hood.lat, hood.lon, north, east)
            points.append((round(lat, 6), round(lon, 6)))
    return points


def central_neighbourhood(rep_index: int) -> Neighbourhood:
    """The territory's neighbourhood closest to its centre, where its rep would live."""
    hoods = territory_of(rep_index)
    lat = sum(h.lat for h in hoods) / len(hoods)
    lon = sum(h.lon for h in hoods) / len(hoods)
    centre = Location(lat, lon)
    return min(hoods, key=lambda h: geodesic_m(centre, Location(h.lat, h.lon)))


def _point_in_disc(rng: random.Random, radius: float) -> tuple[float, float]:
    r = radius * math.sqrt(rng.random())
    angle = rng.uniform(0.0, 2 * math.pi)
    return r * math.cos(angle), r * math.sin(angle)


def postal_code(rng: random.Random, hood: Neighbourhood) -> str:
    """A CEP-shaped code whose prefix matches the zone (not a real address)."""
    low, high = _CEP_PREFIXES[hood.zone]
    return f"{rng.randint(low, high):03d}{rng.randint(0, 99):02d}-{rng.randint(0, 999):03d}"


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split a total into integer parts proportional to weights (largest remainder)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts
