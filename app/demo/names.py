"""Brazilian names, addresses, tax ids and phone numbers for demo rows."""

from __future__ import annotations

import random

FIRST_NAMES_F = (
    "Ana",
    "Maria",
    "Juliana",
    "Fernanda",
    "Patrícia",
    "Aline",
    "Camila",
    "Beatriz",
    "Luciana",
    "Renata",
    "Cláudia",
    "Vanessa",
    "Simone",
    "Adriana",
    "Sandra",
    "Tatiane",
    "Priscila",
    "Helena",
    "Rosana",
    "Débora",
    "Márcia",
    "Regina",
    "Carla",
    "Letícia",
    "Gabriela",
    "Elaine",
    "Cristina",
)
FIRST_NAMES_M = (
    "José",
    "João",
    "Antônio",
    "Francisco",
    "Carlos",
    "Paulo",
    "Pedro",
    "Lucas",
    "Luiz",
    "Marcos",
    "Luís",
    "Gabriel",
    "Rafael",
    "Daniel",
    "Marcelo",
    "Bruno",
    "Eduardo",
    "Felipe",
    "Rodrigo",
    "Manoel",
    "Sérgio",
    "Fábio",
    "Roberto",
    "Ricardo",
    "Jorge",
    "Anderson",
    "Wagner",
    "Edson",
    "Valdir",
    "Reinaldo",
    "Geraldo",
    "Severino",
    "Raimundo",
    "Ailton",
    "Cícero",
)
SURNAMES = (
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Teixeira",
    "Araújo",
    "Castro",
    "Pinto",
    "Correia",
    "Cavalcanti",
    "Monteiro",
    "Moura",
    "Tavares",
    "Campos",
    "Yamamoto",
    "Nakamura",
    "Kim",
    "Haddad",
    "Abdalla",
    "Rossi",
    "Bianchi",
    "Conti",
    "Esposito",
    "Romano",
    "Lombardi",
)
STREET_NAMES = (
    "Rua São Bento",
    "Rua XV de Novembro",
    "Rua Dom Pedro II",
    "Rua Santa Cruz",
    "Rua das Flores",
    "Rua José Bonifácio",
    "Rua Tiradentes",
    "Avenida Brasil",
    "Rua Sete de Setembro",
    "Rua Barão de Itapetininga",
    "Rua Padre Anchieta",
    "Rua Marechal Deodoro",
    "Rua Rui Barbosa",
    "Rua Santos Dumont",
    "Rua Duque de Caxias",
    "Avenida Independência",
    "Rua Quintino Bocaiúva",
    "Rua Benjamin Constant",
    "Rua Bento Gonçalves",
    "Rua Castro Alves",
    "Rua Olavo Bilac",
    "Rua Monteiro Lobato",
    "Rua Cândido Portinari",
    "Rua Anita Garibaldi",
    "Rua Princesa Isabel",
    "Rua Visconde de Mauá",
    "Rua Coronel Oliveira Lima",
    "Avenida Presidente Vargas",
    "Rua Professor Alfredo Gomes",
    "Rua Doutor Arnaldo Vieira",
    "Rua Conselheiro Nébias",
    "Rua General Osório",
    "Rua Almirante Barroso",
    "Rua Capitão Salomão",
    "Rua Ipiranga",
    "Rua Paraná",
    "Rua Bahia",
    "Rua Pernambuco",
    "Rua Amazonas",
    "Rua Goiás",
    "Rua Minas Gerais",
    "Rua Itapura",
    "Rua Tuiuti",
    "Rua Guaporé",
    "Rua Jaboticabal",
    "Rua das Palmeiras",
    "Rua dos Ipês",
    "Rua das Acácias",
    "Rua dos Jacarandás",
    "Rua Nossa Senhora da Penha",
    "Rua Santo Antônio",
    "Rua São Jorge",
    "Rua São José",
    "Avenida Sapopemba",
    "Avenida do Estado",
    "Rua Voluntários da Pátria",
    "Rua Cachoeira",
    "Rua Taquari",
    "Rua Itaqui",
    "Rua Boa Esperança",
)
DISTRICTS_OUTSIDE = (
    "Centro",
    "Vila Nova",
    "Jardim América",
    "Vila Galvão",
    "Jardim Bela Vista",
    "Parque Industrial",
    "Vila Sônia",
)

# Words that make trade names sound like the street's real shops.
SHOP_WORDS = (
    "Dois Irmãos",
    "São Jorge",
    "Santa Rita",
    "Nossa Senhora Aparecida",
    "Bom Preço",
    "Real",
    "Progresso",
    "Popular",
    "Boa Vista",
    "Primavera",
    "Estrela",
    "Recanto",
    "Império",
    "Nova Era",
    "Família",
    "União",
    "Bom Jesus",
    "Santo Antônio",
    "Paraíso",
    "Central",
    "Avenida",
    "Esquina",
    "Três Irmãos",
    "Ki-Preço",
    "Vitória",
    "Sol Nascente",
    "Brasileirinho",
    "Portuguesa",
)

LEGAL_ACTIVITY = {
    "mercearia": "Comércio de Gêneros Alimentícios",
    "minimercado": "Supermercados",
    "padaria": "Panificadora",
    "bar": "Bar e Lanches",
    "lanchonete": "Lanchonete",
    "restaurante": "Restaurante",
    "farmácia": "Drogaria",
    "açougue": "Comércio de Carnes",
    "hortifruti": "Comércio de Hortifrutigranjeiros",
    "conveniência": "Conveniência",
}

LEGAL_FORMS = ("Ltda", "Ltda", "Ltda", "ME", "Eireli", "EPP")


def person_name(rng: random.Random, *, female: bool | None = None) -> str:
    """A plausible Brazilian full name."""
    if female is None:
        female = rng.random() < 0.5
    first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
    middle, last = rng.sample(SURNAMES, 2)
    return f"{first} {middle} {last}" if rng.random() < 0.6 else f"{first} {last}"


def trade_name(rng: random.Random, label: str, district: str) -> str:
    """A shop's sign, e.g. "Padaria Estrela do Tatuapé" or "Bar do Geraldo"."""
    roll = rng.random()
    if roll < 0.3:
        return f"{label} {rng.choice(SHOP_WORDS)}"
    if roll < 0.55:
        owner = rng.choice(FIRST_NAMES_M + FIRST_NAMES_F)
        article = "da" if owner in FIRST_NAMES_F else "do"
        return f"{label} {article} {owner}"
    if roll < 0.8:
        return f"{label} {rng.choice(SHOP_WORDS)} {_of(district)}"
    return f"{label} {rng.choice(SURNAMES)}"


def _of(district: str) -> str:
    feminine = (
        "Sé",
        "Bela Vista",
        "Liberdade",
        "Penha",
        "Lapa",
        "Vila",
        "Casa",
        "Freguesia",
        "Cidade",
        "Brasilândia",
        "Mooca",
    )
    if district.startswith(feminine):
        return f"da {district}"
    if district in (
        "Moema",
        "Diadema",
        "Guarulhos",
        "Osasco",
        "Barueri",
        "Mauá",
        "Santana",
        "Carapicuíba",
    ):
        return f"de {district}"
    return f"do {district}"


def legal_name(rng: random.Random, segment: str, trade: str) -> str:
    """The registered company name, e.g. "Silva & Rocha Panificadora Ltda"."""
    form = rng.choice(LEGAL_FORMS)
    roll = rng.random()
    if roll < 0.4:
        a, b = rng.sample(SURNAMES, 2)
        return f"{a} & {b} {LEGAL_ACTIVITY[segment]} {form}"
    if roll < 0.7:
        return f"{person_name(rng)} {form}"
    words = trade.split(" ", 1)
    core = words[1] if len(words) > 1 and not words[1].startswith(("do ", "da ")) else trade
    return f"{core} {LEGAL_ACTIVITY[segment]} {form}"


def cnpj(rng: random.Random) -> str:
    """A CNPJ-shaped tax id with valid check digits (head office branch 0001)."""
    digits = [rng.randint(0, 9) for _ in range(8)] + [0, 0, 0, 1]
    for weights in ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        digits.append(0 if rest < 2 else 11 - rest)
    s = "".join(map(str, digits))
    return f"{s[:2]}.{s[2:5]}.{s[5:8]}/{s[8:12]}-{s[12:]}"


def cnpj_is_valid(tax_id: str) -> bool:
    """Check a formatted CNPJ's two check digits."""
    digits = [int(c) for c in tax_id if c.isdigit()]
    if len(digits) != 14:
        return False
    for n, weights in (
        (12, (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)),
        (13, (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)),
    ):
        rest = sum(d * w for d, w in zip(digits[:n], weights, strict=True)) % 11
        if digits[n] != (0 if rest < 2 else 11 - rest):
            return False
    return True


def mobile(rng: random.Random) -> str:
    """A São Paulo mobile number, "(11) 9xxxx-xxxx"."""
    return f"(11) 9{rng.randint(5000, 9999)}-{rng.randint(0, 9999):04d}"


def landline(rng: random.Random) -> str:
    """A São Paulo landline number, "(11) 2xxx-xxxx" or "(11) 3xxx-xxxx"."""
    return f"(11) {rng.choice('2345')}{rng.randint(0, 999):03d}-{rng.randint(0, 9999):04d}"


def street_address(rng: random.Random) -> tuple[str, str]:
    """A street and a building number."""
    return rng.choice(STREET_NAMES), str(
        rng.choice((rng.randint(10, 999), rng.randint(1000, 3999)))
    )


def slug(text: str) -> str:
    """Lower-case ASCII words joined by nothing, for demo e-mail domains."""
    table = str.maketrans("áàâãéêíóôõúüçÁÀÂÃÉÊÍÓÔÕÚÜÇ", "aaaaeeiooouucAAAAEEIOOOUUC")
    return "".join(c for c in text.translate(table).lower() if c.isalnum())
