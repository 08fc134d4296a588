"""Trade segments with their typical hours, service time, cadence, ticket and category mix."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Hours = tuple[tuple[str, str], ...]

CATEGORIES = (
    "Bebidas",
    "Mercearia seca",
    "Laticínios",
    "Frios",
    "Limpeza",
    "Higiene",
    "Biscoitos e snacks",
    "Congelados",
    "Hortifruti",
)

# (product code, name, unit price in BRL) per category: a distributor's case/bale catalogue.
CATALOGUE: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Bebidas": (
        ("BEB-001", "Refrigerante cola 2 L - fardo 6 un", "47.90"),
        ("BEB-002", "Refrigerante guaraná 2 L - fardo 6 un", "39.90"),
        ("BEB-003", "Água mineral 500 ml - fardo 12 un", "17.90"),
        ("BEB-004", "Cerveja pilsen lata 350 ml - caixa 12 un", "41.90"),
        ("BEB-005", "Suco néctar uva 1 L - caixa 12 un", "71.40"),
        ("BEB-006", "Energético 250 ml - fardo 6 un", "44.90"),
        ("BEB-007", "Cerveja long neck 330 ml - caixa 24 un", "119.90"),
    ),
    "Mercearia seca": (
        ("MER-001", "Arroz tipo 1 5 kg - fardo 6 un", "149.90"),
        ("MER-002", "Feijão carioca 1 kg - fardo 10 un", "79.90"),
        ("MER-003", "Açúcar refinado 1 kg - fardo 10 un", "46.90"),
        ("MER-004", "Óleo de soja 900 ml - caixa 20 un", "139.00"),
        ("MER-005", "Café torrado e moído 500 g - fardo 10 un", "189.90"),
        ("MER-006", "Macarrão espaguete 500 g - fardo 20 un", "69.80"),
        ("MER-007", "Farinha de trigo 25 kg - saco", "109.90"),
    ),
    "Laticínios": (
        ("LAT-001", "Leite UHT integral 1 L - caixa 12 un", "59.90"),
        ("LAT-002", "Manteiga com sal 200 g - caixa 20 un", "219.00"),
        ("LAT-003", "Iogurte morango 170 g - bandeja 24 un", "62.40"),
        ("LAT-004", "Requeijão cremoso 200 g - caixa 24 un", "158.40"),
        ("LAT-005", "Queijo muçarela fatiado - peça 4 kg", "139.60"),
    ),
    "Frios": (
        ("FRI-001", "Presunto cozido - peça 3,5 kg", "87.50"),
        ("FRI-002", "Mortadela tradicional - peça 5 kg", "64.90"),
        ("FRI-003", "Salsicha hot dog - caixa 3 kg", "38.70"),
        ("FRI-004", "Salame italiano - peça 1 kg", "54.90"),
        ("FRI-005", "Peito de peru defumado - peça 2,5 kg", "112.50"),
    ),
    "Limpeza": (
        ("LIM-001", "Detergente líquido 500 ml - caixa 24 un", "52.80"),
        ("LIM-002", "Água sanitária 2 L - caixa 6 un", "35.40"),
        ("LIM-003", "Sabão em pó 1 kg - fardo 10 un", "119.00"),
        ("LIM-004", "Desinfetante 2 L - caixa 6 un", "47.40"),
        ("LIM-005", "Esponja multiuso - fardo 40 un", "39.90"),
    ),
    "Higiene": (
        ("HIG-001", "Papel higiênico folha dupla - fardo 64 rolos", "99.90"),
        ("HIG-002", "Sabonete 85 g - caixa 72 un", "129.60"),
        ("HIG-003", "Creme dental 90 g - caixa 72 un", "266.40"),
        ("HIG-004", "Desodorante aerossol 150 ml - caixa 12 un", "155.40"),
        ("HIG-005", "Fralda descartável M - fardo 4 pacotes", "139.60"),
    ),
    "Biscoitos e snacks": (
        ("BIS-001", "Biscoito recheado chocolate 130 g - caixa 48 un", "105.60"),
        ("BIS-002", "Biscoito cream cracker 200 g - caixa 40 un", "118.00"),
        ("BIS-003", "Salgadinho de milho 45 g - caixa 50 un", "92.50"),
        ("BIS-004", "Amendoim japonês 150 g - caixa 24 un", "88.80"),
        ("BIS-005", "Batata palha 120 g - caixa 20 un", "79.80"),
    ),
    "Congelados": (
        ("CON-001", "Pão de queijo 1 kg - caixa 10 un", "189.00"),
        ("CON-002", "Batata pré-frita 2 kg - caixa 6 un", "167.40"),
        ("CON-003", "Hambúrguer bovino 56 g - caixa 36 un", "64.80"),
        ("CON-004", "Coxinha de frango 1 kg - pacote", "32.90"),
        ("CON-005", "Polpa de fruta 1 kg - caixa 10 un", "95.00"),
    ),
    "Hortifruti": (
        ("HOR-001", "Batata lavada - saco 25 kg", "109.00"),
        ("HOR-002", "Cebola - saco 20 kg", "72.00"),
        ("HOR-003", "Tomate - caixa 20 kg", "98.00"),
        ("HOR-004", "Banana nanica - caixa 18 kg", "59.40"),
        ("HOR-005", "Alho - caixa 10 kg", "189.00"),
    ),
}


@dataclass(frozen=True)
class Segment:
    """What a kind of point of sale usually looks like to a distributor."""

    key: str
    label: str
    share: float
    hours: tuple[dict[str, Hours], ...]  # one or more typical weekly schedules
    service_minutes: int
    cycle_days: float  # typical days between orders
    ticket: float  # typical order value in BRL
    mix: dict[str, float]  # relative weight of each category in its orders


def _week(
    weekdays: Hours, sat: Hours = (), sun: Hours = (), *, closed_mon: bool = False
) -> dict[str, Hours]:
    days = {d: weekdays for d in ("mon", "tue", "wed", "thu", "fri")}
    if closed_mon:
        days["mon"] = ()
    return {**days, "sat": sat, "sun": sun}


SEGMENTS: tuple[Segment, ...] = (
    Segment(
        "mercearia",
        "Mercearia",
        0.18,
        (
            _week((("07:30", "12:00"), ("13:30", "19:00")), (("07:30", "13:00"),)),
            _week((("08:00", "19:00"),), (("08:00", "14:00"),)),
        ),
        20,
        14,
        850,
        {
            "Mercearia seca": 5,
            "Bebidas": 3,
            "Limpeza": 2,
            "Higiene": 1.5,
            "Biscoitos e snacks": 2,
            "Laticínios": 1.5,
            "Frios": 1,
        },
    ),
    Segment(
        "minimercado",
        "Minimercado",
        0.11,
        (_week((("07:00", "21:00"),), (("07:00", "21:00"),), (("08:00", "13:00"),)),),
        30,
        10,
        2100,
        {
            "Mercearia seca": 5,
            "Bebidas": 4,
            "Limpeza": 3,
            "Higiene": 2.5,
            "Biscoitos e snacks": 2,
            "Laticínios": 2.5,
            "Frios": 2,
            "Congelados": 1.5,
            "Hortifruti": 1.5,
        },
    ),
    Segment(
        "padaria",
        "Padaria",
        0.15,
        (
            _week((("06:00", "20:00"),), (("06:00", "20:00"),), (("06:00", "13:00"),)),
            _week((("06:00", "21:00"),), (("06:00", "21:00"),), (("07:00", "14:00"),)),
        ),
        20,
        8,
        950,
        {
            "Laticínios": 5,
            "Frios": 4,
            "Mercearia seca": 3,
            "Bebidas": 3,
            "Biscoitos e snacks": 1.5,
            "Congelados": 1.5,
        },
    ),
    Segment(
        "bar",
        "Bar",
        0.14,
        (
            _week(
                (("11:00", "23:00"),), (("11:00", "23:00"),), (("11:00", "20:00"),), closed_mon=True
            ),
            _week(
                (("16:00", "23:30"),), (("12:00", "23:30"),), (("12:00", "20:00"),), closed_mon=True
            ),
        ),
        15,
        10,
        620,
        {"Bebidas": 8, "Biscoitos e snacks": 2.5, "Frios": 1.5, "Congelados": 1.5, "Limpeza": 0.5},
    ),
    Segment(
        "lanchonete",
        "Lanchonete",
        0.10,
        (
            _week((("07:00", "19:00"),), (("07:00", "14:00"),)),
            _week((("10:00", "22:00"),), (("10:00", "22:00"),), (("16:00", "22:00"),)),
        ),
        15,
        12,
        520,
        {
            "Bebidas": 4,
            "Frios": 3,
            "Congelados": 3,
            "Laticínios": 2,
            "Mercearia seca": 1,
            "Biscoitos e snacks": 1,
        },
    ),
    Segment(
        "restaurante",
        "Restaurante",
        0.10,
        (
            _week(
                (("11:00", "15:00"), ("18:00", "23:00")),
                (("11:00", "15:00"), ("18:00", "23:00")),
                (("11:00", "16:00"),),
            ),
            _week((("11:00", "15:00"),), (("11:00", "15:00"),)),
        ),
        25,
        10,
        1400,
        {
            "Mercearia seca": 5,
            "Hortifruti": 3,
            "Congelados": 2.5,
            "Bebidas": 3,
            "Laticínios": 2,
            "Frios": 1.5,
            "Limpeza": 1,
        },
    ),
    Segment(
        "farmácia",
        "Farmácia",
        0.06,
        (
            _week((("08:00", "22:00"),), (("08:00", "22:00"),), (("09:00", "18:00"),)),
            _week((("07:00", "23:00"),), (("07:00", "23:00"),), (("07:00", "23:00"),)),
        ),
        20,
        28,
        1250,
        {"Higiene": 8, "Limpeza": 1.5, "Bebidas": 1, "Biscoitos e snacks": 1},
    ),
    Segment(
        "açougue",
        "Açougue",
        0.05,
        (_week((("07:00", "19:00"),), (("07:00", "19:00"),), (("07:00", "12:00"),)),),
        20,
        12,
        880,
        {"Congelados": 4, "Frios": 4, "Bebidas": 2, "Mercearia seca": 2, "Limpeza": 0.5},
    ),
    Segment(
        "hortifruti",
        "Hortifruti",
        0.05,
        (_week((("07:00", "19:00"),), (("07:00", "18:00"),), (("07:00", "13:00"),)),),
        15,
        8,
        700,
        {"Hortifruti": 7, "Mercearia seca": 2, "Bebidas": 1.5, "Laticínios": 1},
    ),
    Segment(
        "conveniência",
        "Conveniência",
        0.06,
        (_week((("07:00", "23:00"),), (("07:00", "23:00"),), (("07:00", "23:00"),)),),
        15,
        15,
        680,
        {
            "Bebidas": 5,
            "Biscoitos e snacks": 4,
            "Higiene": 1.5,
            "Congelados": 1.5,
            "Laticínios": 1,
            "Limpeza": 0.5,
        },
    ),
)


def opening_hours_json(hours: dict[str, Hours]) -> dict[str, Any]:
    """The Customer.opening_hours JSON: weekday key to a list of [open, close] pairs."""
    return {day: [list(pair) for pair in intervals] for day, intervals in hours.items()}


def visit_frequency(cycle_days: float) -> int:
    """Visit cadence a supervisor would set for a purchase cycle: 7, 14 or 28 days."""
    if cycle_days <= 7:
        return 7
    if cycle_days <= 16:
        return 14
    return 28
