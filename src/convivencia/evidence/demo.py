"""A synthetic evidence registry for the demo and the benchmarks.

Every intervention here is generated from templates with a seeded random
generator: the city and country names are real, the programmes, organisations,
budgets, evaluations and findings are not, and every name, summary and source
says so ("(demo)", "synthetic", example.org links). Exchange rates are synthetic
too and labelled ``Demo data (synthetic)``; real rates already in the database
are never overwritten.

The same generator feeds the demo (``build()``, 1,300 interventions) and
``bench/evidence.py`` (``build(size=100_000)``): the shape of the data (focus
mix, share evaluated, share with robust evaluations) is the same at every size.
Saving is in bulk and computes the ratings with the documented rule
(``ratings.rate``), so loading the demo takes a second or two, not minutes.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import accumulate, islice
from typing import Generic, TypeVar

from django.db import transaction

from convivencia.core import demo_clock
from convivencia.evidence import ratings, services
from convivencia.evidence.choices import (
    Curation,
    Design,
    Direction,
    Focus,
    ImplementerType,
    Population,
    PreventionLevel,
    Problem,
    Rating,
    Scale,
    Status,
)
from convivencia.evidence.models import (
    Evaluation,
    EvidenceRating,
    ExchangeRate,
    Intervention,
    InterventionTag,
    Outcome,
    Source,
)
from convivencia.territories.models import Territory
from convivencia.territories.services import ensure_country

DEMO_SIZE = 1_300
DEMO_SEED = 2025
RATE_SOURCE = "Demo data (synthetic)"
FIRST_YEAR, LAST_YEAR = 1995, 2025
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
LANGUAGES = ("es", "pt", "en")

# Shares of the whole registry, close to what citizen security registries in the
# region report: about one intervention in five evaluated, one in fourteen robustly.
EVALUATED_SHARE = 0.24  # of those old enough to have been evaluated
ROBUST_SHARE_OF_EVALUATED = 0.33
BUDGET_KNOWN_SHARE = 0.75
MULTI_COUNTRY_SHARE = 0.02

_Item = TypeVar("_Item")


class Weighted(Generic[_Item]):
    """A fixed weighted choice, precomputed: rng.choices recomputes the sums on every call."""

    def __init__(self, weights: dict[_Item, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def pick(self, rng: random.Random) -> _Item:
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class CountryProfile:
    alpha2: str
    language: str
    currency: str
    weight: float
    names: tuple[str, str, str]  # es, pt, en
    cities: tuple[str, ...]  # the first one is the capital (national programmes)
    # Synthetic units per US dollar in 1995 and 2025; years between are interpolated.
    rate_1995: float = 1.0
    rate_2025: float = 1.0


COUNTRIES = [
    CountryProfile(
        "CO",
        "es",
        "COP",
        14,
        ("Colombia", "Colômbia", "Colombia"),
        (
            "Bogotá",
            "Cali",
            "Barranquilla",
            "Cartagena",
            "Bucaramanga",
            "Medellín",
            "Popayán",
            "Pasto",
            "San José de Cúcuta",
            "San Andrés de Tumaco",
            "Apartadó",
            "Florencia",
            "Santander de Quilichao",
            "Tibú",
        ),
        913,
        4100,
    ),
    CountryProfile(
        "MX",
        "es",
        "MXN",
        13,
        ("México", "México", "Mexico"),
        (
            "Ciudad de México",
            "Guadalajara",
            "Monterrey",
            "Ciudad Juárez",
            "Tijuana",
            "Puebla",
            "Acapulco",
            "Culiacán",
            "Morelia",
            "León",
        ),
        6.4,
        19.5,
    ),
    CountryProfile(
        "BR",
        "pt",
        "BRL",
        12,
        ("Brasil", "Brasil", "Brazil"),
        (
            "Brasília",
            "São Paulo",
            "Rio de Janeiro",
            "Belo Horizonte",
            "Recife",
            "Salvador",
            "Fortaleza",
            "Porto Alegre",
            "Manaus",
            "Belém",
            "Vitória",
        ),
        0.92,
        5.6,
    ),
    CountryProfile(
        "AR",
        "es",
        "ARS",
        5,
        ("Argentina", "Argentina", "Argentina"),
        ("Buenos Aires", "Rosario", "Córdoba", "Mendoza", "La Plata", "San Miguel de Tucumán"),
        1.0,
        1050,
    ),
    CountryProfile(
        "CL",
        "es",
        "CLP",
        6,
        ("Chile", "Chile", "Chile"),
        ("Santiago", "Valparaíso", "Concepción", "Antofagasta", "Temuco"),
        397,
        940,
    ),
    CountryProfile(
        "PE",
        "es",
        "PEN",
        5,
        ("Perú", "Peru", "Peru"),
        ("Lima", "Arequipa", "Trujillo", "Chiclayo", "Piura", "Callao"),
        2.25,
        3.7,
    ),
    CountryProfile(
        "EC",
        "es",
        "USD",
        4,
        ("Ecuador", "Equador", "Ecuador"),
        ("Quito", "Guayaquil", "Cuenca", "Esmeraldas", "Manta"),
    ),
    CountryProfile(
        "SV",
        "es",
        "USD",
        5,
        ("El Salvador", "El Salvador", "El Salvador"),
        ("San Salvador", "Santa Ana", "San Miguel", "Soyapango", "Mejicanos"),
    ),
    CountryProfile(
        "GT",
        "es",
        "GTQ",
        4,
        ("Guatemala", "Guatemala", "Guatemala"),
        ("Ciudad de Guatemala", "Mixco", "Villa Nueva", "Quetzaltenango", "Escuintla"),
        5.8,
        7.7,
    ),
    CountryProfile(
        "HN",
        "es",
        "HNL",
        5,
        ("Honduras", "Honduras", "Honduras"),
        ("Tegucigalpa", "San Pedro Sula", "La Ceiba", "Choloma", "Comayagua"),
        9.5,
        25.6,
    ),
    CountryProfile(
        "NI",
        "es",
        "NIO",
        1.5,
        ("Nicaragua", "Nicarágua", "Nicaragua"),
        ("Managua", "León", "Masaya", "Matagalpa"),
        7.5,
        36.6,
    ),
    CountryProfile(
        "CR",
        "es",
        "CRC",
        3,
        ("Costa Rica", "Costa Rica", "Costa Rica"),
        ("San José", "Limón", "Alajuela", "Puntarenas", "Desamparados"),
        180,
        510,
    ),
    CountryProfile(
        "PA",
        "es",
        "USD",
        2,
        ("Panamá", "Panamá", "Panama"),
        ("Ciudad de Panamá", "Colón", "San Miguelito", "David"),
    ),
    CountryProfile(
        "DO",
        "es",
        "DOP",
        3,
        ("República Dominicana", "República Dominicana", "Dominican Republic"),
        ("Santo Domingo", "Santiago de los Caballeros", "San Cristóbal", "La Romana"),
        13.6,
        61,
    ),
    CountryProfile(
        "JM",
        "en",
        "JMD",
        3,
        ("Jamaica", "Jamaica", "Jamaica"),
        ("Kingston", "Spanish Town", "Montego Bay", "May Pen"),
        35,
        157,
    ),
    CountryProfile(
        "TT",
        "en",
        "TTD",
        2,
        ("Trinidad y Tobago", "Trinidad e Tobago", "Trinidad and Tobago"),
        ("Port of Spain", "San Fernando", "Chaguanas", "Arima"),
        5.9,
        6.78,
    ),
    CountryProfile(
        "UY",
        "es",
        "UYU",
        2,
        ("Uruguay", "Uruguai", "Uruguay"),
        ("Montevideo", "Canelones", "Maldonado", "Salto", "Rivera"),
        5.6,
        41,
    ),
    CountryProfile(
        "PY",
        "es",
        "PYG",
        1.5,
        ("Paraguay", "Paraguai", "Paraguay"),
        ("Asunción", "Ciudad del Este", "Encarnación", "Luque"),
        1960,
        7300,
    ),
    CountryProfile(
        "BO",
        "es",
        "BOB",
        1.5,
        ("Bolivia", "Bolívia", "Bolivia"),
        ("La Paz", "El Alto", "Santa Cruz de la Sierra", "Cochabamba"),
        4.8,
        6.96,
    ),
    CountryProfile(
        "HT",
        "en",
        "HTG",
        1.5,
        ("Haití", "Haiti", "Haiti"),
        ("Port-au-Prince", "Cap-Haïtien", "Gonaïves", "Les Cayes"),
        15,
        132,
    ),
    # Budgets of Venezuelan programmes are recorded in dollars here: a synthetic
    # bolívar series across three redenominations would only mislead.
    CountryProfile(
        "VE",
        "es",
        "USD",
        1,
        ("Venezuela", "Venezuela", "Venezuela"),
        ("Caracas", "Maracaibo", "Valencia", "Barquisimeto"),
    ),
    # Comparators from outside the region, as the registry holds a few.
    CountryProfile(
        "US",
        "en",
        "USD",
        3,
        ("Estados Unidos", "Estados Unidos", "United States"),
        ("Washington", "Chicago", "Boston", "Philadelphia", "Los Angeles", "New York"),
    ),
    CountryProfile(
        "GB",
        "en",
        "GBP",
        2,
        ("Reino Unido", "Reino Unido", "United Kingdom"),
        ("London", "Manchester", "Glasgow", "Birmingham"),
        0.63,
        0.77,
    ),
    CountryProfile(
        "ES",
        "es",
        "EUR",
        1.5,
        ("España", "Espanha", "Spain"),
        ("Madrid", "Barcelona", "Sevilla", "Valencia"),
        0.85,
        0.92,
    ),
    CountryProfile(
        "ZA",
        "en",
        "ZAR",
        1.5,
        ("Sudáfrica", "África do Sul", "South Africa"),
        ("Pretoria", "Cape Town", "Johannesburg", "Durban"),
        3.6,
        18.3,
    ),
]
COUNTRY_BY_CODE = {country.alpha2: country for country in COUNTRIES}
LATIN_AMERICA = [c.alpha2 for c in COUNTRIES if c.alpha2 in ratings.LATIN_AMERICA_AND_CARIBBEAN]

# Where a programme happens, as a phrase that follows its name, in es, pt, en.
PLACE_PHRASES: dict[str, tuple[str, str, str]] = {
    Scale.NEIGHBOURHOOD: (
        "en barrios priorizados de {city}",
        "em bairros prioritários de {city}",
        "in priority neighbourhoods of {city}",
    ),
    Scale.MUNICIPAL: ("en {city}", "em {city}", "in {city}"),
    Scale.REGIONAL: (
        "en el área metropolitana de {city}",
        "na região metropolitana de {city}",
        "in the {city} metropolitan area",
    ),
    Scale.NATIONAL: (
        "a nivel nacional ({country_es})",
        "em nível nacional ({country_pt})",
        "nationwide ({country_en})",
    ),
    Scale.MULTI_COUNTRY: (
        "en varios países de América Latina",
        "em vários países da América Latina",
        "across several Latin American countries",
    ),
}

NAME_TEMPLATES: dict[str, list[tuple[str, str, str]]] = {
    Focus.POLICING: [
        (
            "Patrullaje focalizado en puntos críticos {place}",
            "Policiamento focalizado em pontos críticos {place}",
            "Hot-spot patrolling {place}",
        ),
        (
            "Policía de proximidad {place}",
            "Policiamento de proximidade {place}",
            "Community-oriented policing {place}",
        ),
        (
            "Estrategia de disuasión focalizada {place}",
            "Estratégia de dissuasão focalizada {place}",
            "Focused deterrence strategy {place}",
        ),
    ],
    Focus.CRIMINAL_JUSTICE: [
        (
            "Unidad de investigación de homicidios {place}",
            "Unidade de investigação de homicídios {place}",
            "Homicide investigation unit {place}",
        ),
        (
            "Casas de justicia y mediación {place}",
            "Casas de justiça e mediação {place}",
            "Justice and mediation houses {place}",
        ),
        (
            "Tribunales de tratamiento de drogas {place}",
            "Tribunais de tratamento de drogas {place}",
            "Drug treatment courts {place}",
        ),
    ],
    Focus.PRISONS: [
        (
            "Programa de reinserción pospenitenciaria {place}",
            "Programa de reinserção de egressos do sistema prisional {place}",
            "Post-release reintegration programme {place}",
        ),
        (
            "Formación laboral en centros penitenciarios {place}",
            "Capacitação profissional em unidades prisionais {place}",
            "Vocational training in prisons {place}",
        ),
    ],
    Focus.SOCIAL_PREVENTION: [
        (
            "Programa de prevención social de la violencia {place}",
            "Programa de prevenção social da violência {place}",
            "Social violence prevention programme {place}",
        ),
        (
            "Centros comunitarios de convivencia {place}",
            "Centros comunitários de convivência {place}",
            "Community coexistence centres {place}",
        ),
        (
            "Transferencias condicionadas con componente de convivencia {place}",
            "Transferências condicionadas com componente de convivência {place}",
            "Conditional cash transfers with a violence-prevention component {place}",
        ),
    ],
    Focus.SITUATIONAL: [
        (
            "Mejoramiento del alumbrado público {place}",
            "Melhoria da iluminação pública {place}",
            "Street lighting improvement {place}",
        ),
        (
            "Recuperación de espacios públicos {place}",
            "Recuperação de espaços públicos {place}",
            "Public space regeneration {place}",
        ),
        (
            "Videovigilancia en espacios públicos {place}",
            "Videomonitoramento de espaços públicos {place}",
            "CCTV in public spaces {place}",
        ),
    ],
    Focus.VAWG: [
        (
            "Atención integral a mujeres víctimas de violencia {place}",
            "Atendimento integral a mulheres em situação de violência {place}",
            "Comprehensive services for women survivors of violence {place}",
        ),
        (
            "Prevención de la violencia en el noviazgo {place}",
            "Prevenção da violência no namoro {place}",
            "Dating violence prevention {place}",
        ),
        (
            "Programa de masculinidades no violentas {place}",
            "Programa de masculinidades não violentas {place}",
            "Non-violent masculinities programme {place}",
        ),
    ],
    Focus.YOUTH: [
        (
            "Programa de prevención juvenil {place}",
            "Programa de prevenção juvenil {place}",
            "Youth violence prevention programme {place}",
        ),
        (
            "Terapia cognitivo-conductual para jóvenes en riesgo {place}",
            "Terapia cognitivo-comportamental para jovens em risco {place}",
            "Cognitive behavioural therapy for at-risk youth {place}",
        ),
        (
            "Empleo juvenil y mentoría {place}",
            "Emprego juvenil e mentoria {place}",
            "Youth employment and mentoring {place}",
        ),
    ],
    Focus.DRUGS_ALCOHOL: [
        (
            "Restricción de horarios de venta de alcohol {place}",
            "Restrição de horário de venda de bebidas alcoólicas {place}",
            "Alcohol sales hours restriction {place}",
        ),
        (
            "Prevención del consumo de drogas en escuelas {place}",
            "Prevenção do uso de drogas nas escolas {place}",
            "School-based drug prevention {place}",
        ),
    ],
    Focus.FIREARMS: [
        (
            "Campaña de desarme voluntario {place}",
            "Campanha de desarmamento voluntário {place}",
            "Voluntary gun buy-back {place}",
        ),
        (
            "Restricción al porte de armas {place}",
            "Restrição ao porte de armas {place}",
            "Gun-carrying ban {place}",
        ),
    ],
    Focus.COMMUNITY: [
        (
            "Consejos comunitarios de seguridad {place}",
            "Conselhos comunitários de segurança {place}",
            "Community safety councils {place}",
        ),
        (
            "Mediación comunitaria de conflictos {place}",
            "Mediação comunitária de conflitos {place}",
            "Community conflict mediation {place}",
        ),
    ],
    Focus.DATA: [
        (
            "Observatorio del delito {place}",
            "Observatório da criminalidade {place}",
            "Crime observatory {place}",
        ),
        (
            "Sistema de información para la convivencia {place}",
            "Sistema de informação para a segurança cidadã {place}",
            "Citizen security information system {place}",
        ),
    ],
}
PHASES = ("fase II", "fase II", "phase II")

# The first sentence of a summary, by main focus (es, pt, en).
FOCUS_PHRASES: dict[str, tuple[str, str, str]] = {
    Focus.POLICING: ("Intervención policial", "Intervenção policial", "Policing intervention"),
    Focus.CRIMINAL_JUSTICE: (
        "Intervención del sector justicia",
        "Intervenção do setor de justiça",
        "Justice-sector intervention",
    ),
    Focus.PRISONS: (
        "Intervención penitenciaria y de reinserción",
        "Intervenção prisional e de reinserção",
        "Prison and reintegration intervention",
    ),
    Focus.SOCIAL_PREVENTION: (
        "Intervención de prevención social",
        "Intervenção de prevenção social",
        "Social prevention intervention",
    ),
    Focus.SITUATIONAL: (
        "Intervención de prevención situacional",
        "Intervenção de prevenção situacional",
        "Situational prevention intervention",
    ),
    Focus.VAWG: (
        "Intervención contra la violencia hacia mujeres y niñas",
        "Intervenção contra a violência contra mulheres e meninas",
        "Intervention against violence against women and girls",
    ),
    Focus.YOUTH: (
        "Intervención con jóvenes en riesgo",
        "Intervenção com jovens em risco",
        "Intervention with at-risk youth",
    ),
    Focus.DRUGS_ALCOHOL: (
        "Intervención sobre drogas y alcohol",
        "Intervenção sobre drogas e álcool",
        "Drugs and alcohol intervention",
    ),
    Focus.FIREARMS: (
        "Intervención de control de armas",
        "Intervenção de controle de armas",
        "Firearms control intervention",
    ),
    Focus.COMMUNITY: (
        "Intervención de participación comunitaria",
        "Intervenção de participação comunitária",
        "Community participation intervention",
    ),
    Focus.DATA: (
        "Intervención de datos y sistemas de información",
        "Intervenção de dados e sistemas de informação",
        "Data and information systems intervention",
    ),
}
POPULATION_PHRASES: dict[str, tuple[str, str, str]] = {
    Population.CHILDREN: ("niños y niñas", "crianças", "children"),
    Population.ADOLESCENTS: ("adolescentes", "adolescentes", "adolescents"),
    Population.YOUNG_ADULTS: ("jóvenes adultos", "jovens adultos", "young adults"),
    Population.ADULTS: ("personas adultas", "adultos", "adults"),
    Population.OLDER: ("personas mayores", "pessoas idosas", "older people"),
    Population.WOMEN: ("mujeres y niñas", "mulheres e meninas", "women and girls"),
    Population.MEN: ("hombres y niños", "homens e meninos", "men and boys"),
    Population.GENERAL: ("la población general", "a população em geral", "the general public"),
    Population.AT_RISK_YOUTH: ("jóvenes en riesgo", "jovens em risco", "at-risk youth"),
    Population.GANG_MEMBERS: ("integrantes de pandillas", "integrantes de gangues", "gang members"),
    Population.OFFENDERS: (
        "personas infractoras y pospenadas",
        "pessoas infratoras e egressas",
        "offenders and ex-offenders",
    ),
    Population.VICTIMS: ("víctimas", "vítimas", "victims"),
    Population.POLICE_OFFICERS: ("agentes de policía", "policiais", "police officers"),
    Population.COMMUNITIES: (
        "comunidades con alta incidencia delictiva",
        "comunidades com alta incidência criminal",
        "high-crime communities",
    ),
}
SUMMARY_TEMPLATES = (
    "{focus} dirigida a {population} {place}. "
    "Ficha sintética de demostración: no describe un programa real.",
    "{focus} voltada para {population} {place}. "
    "Registro sintético de demonstração: não descreve um programa real.",
    "{focus} aimed at {population} {place}. "
    "Synthetic demo record: it does not describe a real programme.",
)

# Invented organisations, always marked "(demo)".
ORGANISATION_TEMPLATES: dict[str, tuple[str, str, str]] = {
    ImplementerType.NATIONAL_GOVERNMENT: (
        "Ministerio de Seguridad (demo)",
        "Ministério da Segurança (demo)",
        "Ministry of Security (demo)",
    ),
    ImplementerType.SUBNATIONAL_GOVERNMENT: (
        "Secretaría de Seguridad de {city} (demo)",
        "Secretaria de Segurança de {city} (demo)",
        "{city} Community Safety Office (demo)",
    ),
    ImplementerType.POLICE: (
        "Policía de {city} (demo)",
        "Polícia de {city} (demo)",
        "{city} Police (demo)",
    ),
    ImplementerType.JUSTICE: (
        "Fiscalía seccional de {city} (demo)",
        "Ministério Público de {city} (demo)",
        "{city} Prosecution Service (demo)",
    ),
    ImplementerType.CIVIL_SOCIETY: (
        "Fundación Convivir (demo)",
        "Instituto Viver em Paz (demo)",
        "Safer Streets Trust (demo)",
    ),
    ImplementerType.COMMUNITY: (
        "Junta comunal de {city} (demo)",
        "Associação de moradores de {city} (demo)",
        "{city} Residents' Association (demo)",
    ),
    ImplementerType.PRIVATE: (
        "Cámara de comercio de {city} (demo)",
        "Associação comercial de {city} (demo)",
        "{city} Chamber of Commerce (demo)",
    ),
    ImplementerType.ACADEMIA: (
        "Universidad de {city} (demo)",
        "Universidade de {city} (demo)",
        "University of {city} (demo)",
    ),
    ImplementerType.MULTILATERAL: (
        "Banco regional de desarrollo (demo)",
        "Banco regional de desenvolvimento (demo)",
        "Regional development bank (demo)",
    ),
    ImplementerType.BILATERAL: (
        "Agencia de cooperación bilateral (demo)",
        "Agência de cooperação bilateral (demo)",
        "Bilateral aid agency (demo)",
    ),
}
WITHOUT_CITY = {
    ImplementerType.NATIONAL_GOVERNMENT,
    ImplementerType.CIVIL_SOCIETY,
    ImplementerType.MULTILATERAL,
    ImplementerType.BILATERAL,
}

FOCUS_WEIGHTS = Weighted(
    {
        Focus.SOCIAL_PREVENTION: 16,
        Focus.YOUTH: 15,
        Focus.POLICING: 15,
        Focus.SITUATIONAL: 10,
        Focus.COMMUNITY: 9,
        Focus.VAWG: 9,
        Focus.CRIMINAL_JUSTICE: 8,
        Focus.PRISONS: 6,
        Focus.DRUGS_ALCOHOL: 5,
        Focus.DATA: 4,
        Focus.FIREARMS: 3,
    }
)


@dataclass(frozen=True)
class FocusProfile:
    problems: tuple[str, ...]
    populations: tuple[str, ...]
    levels: tuple[str, ...]
    implementers: dict[str, float]


GENERIC_IMPLEMENTERS: dict[str, float] = {
    ImplementerType.SUBNATIONAL_GOVERNMENT: 30,
    ImplementerType.NATIONAL_GOVERNMENT: 20,
    ImplementerType.CIVIL_SOCIETY: 20,
    ImplementerType.COMMUNITY: 7,
    ImplementerType.POLICE: 5,
    ImplementerType.JUSTICE: 3,
    ImplementerType.ACADEMIA: 5,
    ImplementerType.MULTILATERAL: 5,
    ImplementerType.BILATERAL: 3,
    ImplementerType.PRIVATE: 2,
}
P, S, T = PreventionLevel.PRIMARY, PreventionLevel.SECONDARY, PreventionLevel.TERTIARY
FOCUS_PROFILES = {
    Focus.POLICING: FocusProfile(
        (
            Problem.HOMICIDE,
            Problem.ROBBERY,
            Problem.THEFT,
            Problem.ASSAULT,
            Problem.TRUST,
            Problem.FEAR_OF_CRIME,
            Problem.DRUG_TRAFFICKING,
            Problem.EXTORTION,
        ),
        (Population.GENERAL, Population.COMMUNITIES, Population.POLICE_OFFICERS),
        (P, S),
        {
            ImplementerType.POLICE: 70,
            ImplementerType.NATIONAL_GOVERNMENT: 18,
            ImplementerType.SUBNATIONAL_GOVERNMENT: 12,
        },
    ),
    Focus.CRIMINAL_JUSTICE: FocusProfile(
        (
            Problem.HOMICIDE,
            Problem.RECIDIVISM,
            Problem.TRUST,
            Problem.EXTORTION,
            Problem.KIDNAPPING,
            Problem.DOMESTIC_VIOLENCE,
        ),
        (Population.OFFENDERS, Population.VICTIMS, Population.GENERAL),
        (T, S),
        {
            ImplementerType.JUSTICE: 60,
            ImplementerType.NATIONAL_GOVERNMENT: 25,
            ImplementerType.CIVIL_SOCIETY: 15,
        },
    ),
    Focus.PRISONS: FocusProfile(
        (Problem.RECIDIVISM, Problem.VIOLENCE_GENERAL, Problem.DRUG_TRAFFICKING),
        (Population.OFFENDERS, Population.YOUNG_ADULTS, Population.MEN),
        (T,),
        {
            ImplementerType.JUSTICE: 50,
            ImplementerType.NATIONAL_GOVERNMENT: 30,
            ImplementerType.CIVIL_SOCIETY: 20,
        },
    ),
    Focus.SOCIAL_PREVENTION: FocusProfile(
        (
            Problem.VIOLENCE_GENERAL,
            Problem.HOMICIDE,
            Problem.ASSAULT,
            Problem.GANG_VIOLENCE,
            Problem.ROBBERY,
        ),
        (
            Population.AT_RISK_YOUTH,
            Population.ADOLESCENTS,
            Population.COMMUNITIES,
            Population.CHILDREN,
        ),
        (P, S),
        GENERIC_IMPLEMENTERS,
    ),
    Focus.SITUATIONAL: FocusProfile(
        (
            Problem.ROBBERY,
            Problem.THEFT,
            Problem.FEAR_OF_CRIME,
            Problem.ASSAULT,
            Problem.SEXUAL_VIOLENCE,
        ),
        (Population.GENERAL, Population.COMMUNITIES, Population.WOMEN),
        (P,),
        {
            ImplementerType.SUBNATIONAL_GOVERNMENT: 65,
            ImplementerType.NATIONAL_GOVERNMENT: 15,
            ImplementerType.COMMUNITY: 10,
            ImplementerType.PRIVATE: 10,
        },
    ),
    Focus.VAWG: FocusProfile(
        (Problem.DOMESTIC_VIOLENCE, Problem.SEXUAL_VIOLENCE, Problem.HOMICIDE),
        (Population.WOMEN, Population.VICTIMS, Population.MEN, Population.ADOLESCENTS),
        (P, S, T),
        GENERIC_IMPLEMENTERS,
    ),
    Focus.YOUTH: FocusProfile(
        (
            Problem.GANG_VIOLENCE,
            Problem.HOMICIDE,
            Problem.ASSAULT,
            Problem.VIOLENCE_GENERAL,
            Problem.ROBBERY,
        ),
        (
            Population.AT_RISK_YOUTH,
            Population.ADOLESCENTS,
            Population.YOUNG_ADULTS,
            Population.GANG_MEMBERS,
        ),
        (S, P, T),
        GENERIC_IMPLEMENTERS,
    ),
    Focus.DRUGS_ALCOHOL: FocusProfile(
        (Problem.ASSAULT, Problem.HOMICIDE, Problem.DRUG_TRAFFICKING, Problem.VIOLENCE_GENERAL),
        (Population.YOUNG_ADULTS, Population.ADULTS, Population.ADOLESCENTS, Population.GENERAL),
        (P, S),
        GENERIC_IMPLEMENTERS,
    ),
    Focus.FIREARMS: FocusProfile(
        (Problem.HOMICIDE, Problem.ASSAULT, Problem.GANG_VIOLENCE),
        (Population.GENERAL, Population.YOUNG_ADULTS, Population.MEN),
        (P,),
        {
            ImplementerType.NATIONAL_GOVERNMENT: 50,
            ImplementerType.SUBNATIONAL_GOVERNMENT: 30,
            ImplementerType.POLICE: 20,
        },
    ),
    Focus.COMMUNITY: FocusProfile(
        (Problem.FEAR_OF_CRIME, Problem.TRUST, Problem.VIOLENCE_GENERAL, Problem.EXTORTION),
        (Population.COMMUNITIES, Population.GENERAL, Population.OLDER),
        (P,),
        GENERIC_IMPLEMENTERS,
    ),
    Focus.DATA: FocusProfile(
        (Problem.HOMICIDE, Problem.ROBBERY, Problem.THEFT, Problem.TRUST),
        (Population.GENERAL, Population.POLICE_OFFICERS),
        (P,),
        {
            ImplementerType.NATIONAL_GOVERNMENT: 40,
            ImplementerType.SUBNATIONAL_GOVERNMENT: 35,
            ImplementerType.ACADEMIA: 25,
        },
    ),
}
IMPLEMENTER_WEIGHTS = {
    focus: Weighted(profile.implementers) for focus, profile in FOCUS_PROFILES.items()
}
FUNDER_WEIGHTS = Weighted(
    {
        ImplementerType.NATIONAL_GOVERNMENT: 30,
        ImplementerType.SUBNATIONAL_GOVERNMENT: 25,
        ImplementerType.MULTILATERAL: 18,
        ImplementerType.BILATERAL: 15,
        ImplementerType.PRIVATE: 7,
        ImplementerType.CIVIL_SOCIETY: 5,
    }
)
MULTI_COUNTRY_IMPLEMENTERS = Weighted(
    {
        ImplementerType.MULTILATERAL: 50,
        ImplementerType.BILATERAL: 25,
        ImplementerType.CIVIL_SOCIETY: 25,
    }
)
# Prisons, courts, gun laws and information systems are not run barrio by barrio.
CITYWIDE_AT_LEAST = {Focus.PRISONS, Focus.CRIMINAL_JUSTICE, Focus.FIREARMS, Focus.DATA}
SCALE_WEIGHTS = Weighted(
    {
        Scale.NEIGHBOURHOOD: 20,
        Scale.MUNICIPAL: 40,
        Scale.REGIONAL: 15,
        Scale.NATIONAL: 25,
    }
)
# Budgets in US dollars, log-uniform between these bounds, by scale.
BUDGET_RANGES_USD: dict[str, tuple[int, int]] = {
    Scale.NEIGHBOURHOOD: (20_000, 600_000),
    Scale.MUNICIPAL: (100_000, 8_000_000),
    Scale.REGIONAL: (500_000, 25_000_000),
    Scale.NATIONAL: (2_000_000, 150_000_000),
    Scale.MULTI_COUNTRY: (1_000_000, 60_000_000),
}
CURATION_WEIGHTS = Weighted(
    {
        Curation.PUBLISHED: 85,
        Curation.DRAFT: 6,
        Curation.SUBMITTED: 5,
        Curation.REVIEWED: 4,
    }
)
# More programmes are recorded for recent years, as in every registry.
START_YEAR_WEIGHTS = Weighted({year: 1 + 0.15 * (year - FIRST_YEAR) for year in YEARS})
COUNTRY_WEIGHTS = Weighted({country.alpha2: country.weight for country in COUNTRIES})

# What robustly evaluated programmes turn out to be, before the rule has its say.
ROBUST_PROFILES = Weighted(
    {
        Rating.EFFECTIVE: 18,
        Rating.PROMISING: 32,
        Rating.MIXED: 18,
        Rating.NO_EFFECT: 20,
        Rating.HARMFUL: 12,
    }
)
WEAK_DESIGNS = Weighted({(Design.PRE_POST, 2): 70, (Design.QUALITATIVE, 1): 30})
ROBUST_DESIGNS = Weighted(
    {
        (Design.RCT, 5): 30,
        (Design.QUASI, 4): 35,
        (Design.QUASI, 3): 30,
        (Design.SYSTEMATIC_REVIEW, 4): 5,
    }
)
STRONG_DESIGNS = Weighted({(Design.RCT, 5): 45, (Design.QUASI, 4): 55})
SECONDARY_DIRECTIONS = Weighted(
    {
        Direction.DESIRABLE: 45,
        Direction.NULL: 35,
        Direction.MIXED: 15,
        Direction.UNDESIRABLE: 5,
    }
)
WEAK_DIRECTIONS = Weighted({Direction.DESIRABLE: 75, Direction.MIXED: 15, Direction.NULL: 10})
EVALUATION_TITLES = (
    "Evaluación sintética (demo)",
    "Avaliação sintética (demo)",
    "Synthetic evaluation (demo)",
)
SOURCE_TITLES = (
    ("Ficha de registro sintética {id} (demo)", "Informe de gestión sintético, {year} (demo)"),
    ("Ficha de registro sintética {id} (demo)", "Relatório de gestão sintético, {year} (demo)"),
    ("Synthetic registry record {id} (demo)", "Synthetic progress report, {year} (demo)"),
)
SURNAMES = (
    "García",
    "Rodríguez",
    "Martínez",
    "Silva",
    "Santos",
    "Oliveira",
    "López",
    "Hernández",
    "González",
    "Pérez",
    "Gómez",
    "Souza",
    "Ramírez",
    "Torres",
    "Smith",
    "Brown",
    "Vargas",
    "Castro",
    "Rojas",
    "Mendoza",
)


@dataclass
class DemoFinding:
    """One outcome reported by one evaluation."""

    outcome: str
    direction: str
    effect_size: Decimal | None
    effect_measure: str


@dataclass
class DemoEvaluation:
    citation: str
    url: str
    year: int
    design: str
    sms_level: int
    independent: bool
    country_code: str
    findings: list[DemoFinding] = field(default_factory=list)


@dataclass
class DemoIntervention:
    """Plain data for one intervention and everything attached to it; no database."""

    external_id: str
    name: str
    name_language: str
    name_translations: dict[str, str]
    summary: str
    summary_translations: dict[str, str]
    country_code: str  # "" for multi-country programmes
    city: str
    scale: str
    prevention_level: str
    implementer_name: str
    implementer_type: str
    funder_name: str
    funder_type: str
    start_year: int
    end_year: int | None
    status: str
    budget_amount: Decimal | None
    budget_currency: str
    budget_year: int | None
    curation: str
    stamp: datetime  # when it was submitted; reviewed and published a little later
    focus: list[str]
    problems: list[str]
    populations: list[str]
    sources: list[tuple[str, str]]
    evaluations: list[DemoEvaluation]


def synthetic_rate(currency: str, year: int) -> Decimal:
    """Units of ``currency`` per US dollar in ``year``: smooth drift plus a little noise."""
    profile = next(c for c in COUNTRIES if c.currency == currency)
    share = (year - FIRST_YEAR) / (LAST_YEAR - FIRST_YEAR)
    trend = profile.rate_1995 * (profile.rate_2025 / profile.rate_1995) ** share
    # Seeded by currency and year alone, so the series never depends on the demo's size.
    noise = random.Random(f"{currency}-{year}").uniform(-0.04, 0.04)
    return Decimal(f"{trend * (1 + noise):.6f}")


def local_currencies() -> list[str]:
    return sorted({c.currency for c in COUNTRIES if c.currency != "USD"})


def ensure_exchange_rates() -> int:
    """Synthetic yearly rates for every demo currency; real rates already stored win."""
    rows = [
        ExchangeRate(
            currency=currency,
            year=year,
            per_usd=synthetic_rate(currency, year),
            source=RATE_SOURCE,
        )
        for currency in local_currencies()
        for year in YEARS
    ]
    before = ExchangeRate.objects.count()
    ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True)
    return ExchangeRate.objects.count() - before


def _round_budget(amount: float) -> Decimal:
    """Two significant figures: budgets are announced as round sums."""
    step = 10 ** max(0, math.floor(math.log10(amount)) - 1)
    return Decimal(round(amount / step) * step)


def _effect(
    rng: random.Random, outcome: str, direction: str, design: str
) -> tuple[Decimal | None, str]:
    if direction == Direction.MIXED or design == Design.QUALITATIVE:
        return None, ""
    # For trust in institutions more is better; for every other outcome less is.
    better_up = outcome == Problem.TRUST
    # Survey outcomes are reported as changes; counts of crimes often as rate ratios.
    survey = outcome in {Problem.TRUST, Problem.FEAR_OF_CRIME}
    if survey or rng.random() < 0.5:
        magnitudes: dict[str, float] = {
            Direction.DESIRABLE: rng.uniform(8, 45),
            Direction.NULL: rng.uniform(-3, 3),
            Direction.UNDESIRABLE: rng.uniform(5, 30),
        }
        magnitude = magnitudes[direction]
        sign = -1 if (direction == Direction.DESIRABLE) != better_up else 1
        if direction == Direction.NULL:
            sign = 1
        return Decimal(f"{sign * magnitude:.1f}"), "% change"
    ratios: dict[str, float] = {
        Direction.DESIRABLE: rng.uniform(0.55, 0.92),
        Direction.NULL: rng.uniform(0.96, 1.04),
        Direction.UNDESIRABLE: rng.uniform(1.08, 1.45),
    }
    ratio = ratios[direction]
    return Decimal(f"{ratio:.3f}"), "incidence rate ratio"


class Generator:
    """Deterministic stream of synthetic interventions for a given seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, weighted: Weighted[_Item]) -> _Item:
        return weighted.pick(self.rng)

    def some(self, options: Sequence[str], most: int) -> list[str]:
        """One to ``most`` distinct options, the first one favoured (it is the main one)."""
        count = min(len(options), 1 + int(self.rng.random() ** 1.6 * most))
        first = options[0] if self.rng.random() < 0.5 else self.rng.choice(options)
        rest = [o for o in options if o != first]
        return [first, *self.rng.sample(rest, count - 1)]

    def interventions(self, size: int) -> Iterator[DemoIntervention]:
        for number in range(1, size + 1):
            yield self.intervention(number)

    def intervention(self, number: int) -> DemoIntervention:
        rng = self.rng
        external_id = f"demo-{number:04d}"
        main_focus = self.pick(FOCUS_WEIGHTS)
        if rng.random() < MULTI_COUNTRY_SHARE:
            country, city, scale = None, "", Scale.MULTI_COUNTRY
        else:
            country = COUNTRY_BY_CODE[self.pick(COUNTRY_WEIGHTS)]
            scale = self.pick(SCALE_WEIGHTS)
            if scale == Scale.NEIGHBOURHOOD and main_focus in CITYWIDE_AT_LEAST:
                scale = Scale.MUNICIPAL
            city = country.cities[0] if scale == Scale.NATIONAL else rng.choice(country.cities)
        language = country.language if country else "es"
        focus: list[str] = [main_focus]
        if rng.random() < 0.45:
            focus.append(self.pick(FOCUS_WEIGHTS))
        if rng.random() < 0.12:
            focus.append(self.pick(FOCUS_WEIGHTS))
        focus = list(dict.fromkeys(focus))
        profile = FOCUS_PROFILES[main_focus]
        problems = self.some(profile.problems, 3)
        populations = self.some(profile.populations, 2)

        names, summaries = self._texts(main_focus, populations[0], scale, city, country)
        index = LANGUAGES.index(language)
        start_year = self.pick(START_YEAR_WEIGHTS)
        end_year, status = self._lifetime(start_year)
        implementer_type, implementer_name = self._organisation(
            self.pick(MULTI_COUNTRY_IMPLEMENTERS)
            if country is None
            else self.pick(IMPLEMENTER_WEIGHTS[main_focus]),
            city,
            index,
        )
        funder_type, funder_name = ("", "")
        if rng.random() < 0.85:
            funder_type, funder_name = self._organisation(
                self.pick(FUNDER_WEIGHTS) if country else ImplementerType.MULTILATERAL, city, index
            )
        budget_amount, budget_currency, budget_year = self._budget(
            scale, country, funder_type, start_year
        )
        curation = self.pick(CURATION_WEIGHTS)
        # Submitted over the 600 days before the demo's reference day, moved to today's
        # calendar (core.demo_clock): the newest records are weeks old, none lies ahead.
        stamp = demo_clock.shift_datetime(datetime(2023, 4, 1, 9, tzinfo=UTC)) + timedelta(
            days=rng.randrange(600), minutes=rng.randrange(600)
        )
        evaluations = []
        old_enough = status != Status.PLANNED and start_year <= LAST_YEAR - 2
        if old_enough and rng.random() < EVALUATED_SHARE:
            evaluations = self._evaluations(
                external_id, names[index], index, problems, country, start_year, end_year
            )
        sources = [
            (
                SOURCE_TITLES[index][0].format(id=external_id),
                f"https://example.org/demo/interventions/{external_id}",
            )
        ]
        if rng.random() < 0.35:
            year = min(LAST_YEAR, start_year + 1)
            sources.append(
                (
                    SOURCE_TITLES[index][1].format(year=year),
                    f"https://example.org/demo/reports/{external_id}-{year}.pdf",
                )
            )
        return DemoIntervention(
            external_id=external_id,
            name=names[index],
            name_language=language,
            name_translations={
                lang: text for lang, text in zip(LANGUAGES, names, strict=True) if lang != language
            },
            summary=summaries[index],
            summary_translations={
                lang: text
                for lang, text in zip(LANGUAGES, summaries, strict=True)
                if lang != language
            },
            country_code=country.alpha2 if country else "",
            city=city,
            scale=scale,
            prevention_level=rng.choice(profile.levels) if rng.random() < 0.9 else "",
            implementer_name=implementer_name,
            implementer_type=implementer_type,
            funder_name=funder_name,
            funder_type=funder_type,
            start_year=start_year,
            end_year=end_year,
            status=status,
            budget_amount=budget_amount,
            budget_currency=budget_currency,
            budget_year=budget_year,
            curation=curation,
            stamp=stamp,
            focus=focus,
            problems=problems,
            populations=populations,
            sources=sources,
            evaluations=evaluations,
        )

    def _texts(
        self, focus: str, population: str, scale: str, city: str, country: CountryProfile | None
    ) -> tuple[list[str], list[str]]:
        country_names = dict(
            zip(
                ("country_es", "country_pt", "country_en"),
                country.names if country else ("", "", ""),
                strict=True,
            )
        )
        templates = self.rng.choice(NAME_TEMPLATES[focus])
        second_phase = self.rng.random() < 0.08
        names, summaries = [], []
        for index in range(len(LANGUAGES)):
            place = PLACE_PHRASES[scale][index].format(city=city, **country_names)
            name = templates[index].format(place=place)
            if second_phase:
                name = f"{name} — {PHASES[index]}"
            names.append(name)
            summaries.append(
                SUMMARY_TEMPLATES[index].format(
                    focus=FOCUS_PHRASES[focus][index],
                    population=POPULATION_PHRASES[population][index],
                    place=place,
                )
            )
        return names, summaries

    def _lifetime(self, start_year: int) -> tuple[int | None, str]:
        rng = self.rng
        if start_year == LAST_YEAR and rng.random() < 0.5:
            return None, Status.PLANNED
        planned_end = start_year + rng.randint(1, 8)
        if planned_end > LAST_YEAR:
            # Still running: most have no announced end date.
            return (planned_end if rng.random() < 0.3 else None), Status.ONGOING
        if rng.random() < 0.05:
            return None, Status.ONGOING  # a long-running programme, renewed year after year
        if rng.random() < 0.15:
            return rng.randint(start_year, planned_end), Status.DISCONTINUED
        return planned_end, Status.COMPLETED

    def _organisation(self, kind: str, city: str, index: int) -> tuple[str, str]:
        if not city and kind not in WITHOUT_CITY:
            kind = ImplementerType.MULTILATERAL
        return kind, ORGANISATION_TEMPLATES[kind][index].format(city=city)

    def _budget(
        self, scale: str, country: CountryProfile | None, funder_type: str, start_year: int
    ) -> tuple[Decimal | None, str, int | None]:
        rng = self.rng
        if rng.random() >= BUDGET_KNOWN_SHARE:
            return None, "", None
        low, high = BUDGET_RANGES_USD[scale]
        usd = math.exp(rng.uniform(math.log(low), math.log(high)))
        year = min(LAST_YEAR, start_year + (1 if rng.random() < 0.15 else 0))
        donor = funder_type in {ImplementerType.MULTILATERAL, ImplementerType.BILATERAL}
        if country is None or country.currency == "USD" or (donor and rng.random() < 0.6):
            return _round_budget(usd), "USD", year
        per_usd = float(synthetic_rate(country.currency, year))
        return _round_budget(usd * per_usd), country.currency, year

    def _evaluations(
        self,
        external_id: str,
        name: str,
        index: int,
        problems: list[str],
        country: CountryProfile | None,
        start_year: int,
        end_year: int | None,
    ) -> list[DemoEvaluation]:
        rng = self.rng
        robust_directions: list[str] = []
        if rng.random() < ROBUST_SHARE_OF_EVALUATED:
            robust_directions = self._robust_directions(self.pick(ROBUST_PROFILES))
        weak_count = 0 if robust_directions and rng.random() < 0.6 else rng.randint(1, 2)
        studies: list[tuple[tuple[str, int], str]] = []
        for position, direction in enumerate(robust_directions):
            # Effective needs one study at SMS 4 or above; put it first.
            table = STRONG_DESIGNS if position == 0 else ROBUST_DESIGNS
            studies.append((self.pick(table), direction))
        studies.extend(
            (self.pick(WEAK_DESIGNS), self.pick(WEAK_DIRECTIONS)) for _ in range(weak_count)
        )
        main, others = problems[0], [*problems[1:], Problem.FEAR_OF_CRIME]
        last_year = min(LAST_YEAR, (end_year or LAST_YEAR) + 2)
        evaluations = []
        for number, ((design, sms), direction) in enumerate(studies, start=1):
            year = rng.randint(min(start_year + 1, last_year), last_year)
            study_country = country.alpha2 if country else rng.choice(LATIN_AMERICA)
            if country and rng.random() < 0.05:
                study_country = ""  # an old report that does not say where it was done
            evaluation = DemoEvaluation(
                citation=(
                    f"{rng.choice(SURNAMES)}, {rng.choice(SURNAMES)} et al. ({year}). "
                    f"{EVALUATION_TITLES[index]}: {name}"[:500]
                ),
                url=f"https://example.org/demo/evaluations/{external_id}-{number}",
                year=year,
                design=design,
                sms_level=sms,
                # The first robust study of a programme is usually commissioned from outsiders.
                independent=rng.random() < (0.8 if number == 1 else 0.45),
                country_code=study_country,
            )
            evaluation.findings.append(
                DemoFinding(main, direction, *_effect(rng, main, direction, design))
            )
            if rng.random() < 0.35:
                other = rng.choice(others)
                other_direction = self.pick(SECONDARY_DIRECTIONS)
                evaluation.findings.append(
                    DemoFinding(
                        other, other_direction, *_effect(rng, other, other_direction, design)
                    )
                )
            evaluations.append(evaluation)
        return evaluations

    def _robust_directions(self, profile: str) -> list[str]:
        """Findings of the robust studies on the main outcome that lead to ``profile``."""
        rng = self.rng
        good, null = Direction.DESIRABLE, Direction.NULL
        bad, mixed = Direction.UNDESIRABLE, Direction.MIXED
        options: dict[str, list[list[str]]] = {
            Rating.EFFECTIVE: [[good, good], [good, good, good]],
            Rating.PROMISING: [[good], [good], [good, good, null]],
            Rating.MIXED: [[good, null], [mixed], [good, bad]],
            Rating.NO_EFFECT: [[null], [null, null]],
            Rating.HARMFUL: [[bad], [bad, null]],
        }
        return list(rng.choice(options[profile]))


def generate(size: int = DEMO_SIZE, seed: int = DEMO_SEED) -> Iterator[DemoIntervention]:
    """``size`` synthetic interventions, always the same ones for the same seed."""
    return Generator(seed).interventions(size)


def _municipalities() -> dict[str, Territory]:
    """The demo's Colombian municipalities and departments by name (when loaded)."""
    from convivencia.territories.demo import MUNICIPALITIES

    found: dict[str, Territory] = {}
    for divipola, name, *_rest in MUNICIPALITIES:
        municipality = Territory.objects.with_code("divipola", divipola).first()
        if municipality is not None:
            found[name] = municipality
    return found


class Saver:
    """Writes generated interventions in bulk: a few INSERTs per thousand rows."""

    def __init__(self) -> None:
        codes = {c.alpha2 for c in COUNTRIES}
        self.countries = {code: ensure_country(code) for code in sorted(codes)}
        self.municipalities = _municipalities()
        self.budgets: dict[tuple[Decimal, str, int | None], Decimal | None] = {}

    def budget_usd(self, record: DemoIntervention) -> Decimal | None:
        if record.budget_amount is None:
            return None
        key = (record.budget_amount, record.budget_currency, record.budget_year)
        # Amounts are round sums, so they repeat; each distinct one costs a query.
        if key not in self.budgets:
            self.budgets[key] = services.budget_in_usd(*key)
        return self.budgets[key]

    def intervention(self, record: DemoIntervention) -> Intervention:
        curation = record.curation
        reached: list[str] = [
            Curation.DRAFT,
            Curation.SUBMITTED,
            Curation.REVIEWED,
            Curation.PUBLISHED,
        ]
        step = reached.index(curation)
        return Intervention(
            external_id=record.external_id,
            name=record.name[:300],
            name_language=record.name_language,
            name_translations=record.name_translations,
            summary=record.summary,
            summary_translations=record.summary_translations,
            country=self.countries.get(record.country_code),
            country_code=record.country_code,
            scale=record.scale,
            prevention_level=record.prevention_level,
            implementer_name=record.implementer_name,
            implementer_type=record.implementer_type,
            funder_name=record.funder_name,
            funder_type=record.funder_type,
            start_year=record.start_year,
            end_year=record.end_year,
            status=record.status,
            budget_amount=record.budget_amount,
            budget_currency=record.budget_currency,
            budget_year=record.budget_year,
            budget_usd=self.budget_usd(record),
            curation=curation,
            submitted_at=record.stamp if step >= 1 else None,
            reviewed_at=record.stamp + timedelta(days=9) if step >= 2 else None,
            published_at=record.stamp + timedelta(days=12) if step >= 3 else None,
            is_demo=True,
        )

    def save(self, records: Iterable[DemoIntervention]) -> int:
        records = list(records)
        interventions = [self.intervention(record) for record in records]
        tags: list[InterventionTag] = []
        sources: list[Source] = []
        links = []
        evaluations: list[Evaluation] = []
        outcomes: list[Outcome] = []
        evidence: list[EvidenceRating] = []
        Link = Intervention.territories.through
        for record, intervention in zip(records, interventions, strict=True):
            for kind, codes in (
                ("focus", record.focus),
                ("problem", record.problems),
                ("population", record.populations),
            ):
                tags.extend(
                    InterventionTag(intervention=intervention, kind=kind, code=code)
                    for code in codes
                )
            sources.extend(
                Source(intervention=intervention, citation=citation, url=url)
                for citation, url in record.sources
            )
            place = self._place(record)
            if place is not None:
                links.append((intervention, place))
            findings: dict[str, list[ratings.Finding]] = defaultdict(list)
            for study in record.evaluations:
                evaluation = Evaluation(
                    intervention=intervention,
                    citation=study.citation,
                    url=study.url,
                    year=study.year,
                    design=study.design,
                    sms_level=study.sms_level,
                    independent=study.independent,
                    country=self.countries.get(study.country_code),
                )
                evaluations.append(evaluation)
                for finding in study.findings:
                    outcomes.append(
                        Outcome(
                            evaluation=evaluation,
                            outcome=finding.outcome,
                            direction=finding.direction,
                            effect_size=finding.effect_size,
                            effect_measure=finding.effect_measure,
                        )
                    )
                    findings[finding.outcome].append(
                        ratings.Finding(
                            direction=finding.direction,
                            sms_level=study.sms_level,
                            design=study.design,
                            independent=study.independent,
                            country_code=study.country_code,
                        )
                    )
            values = []
            for outcome, outcome_findings in findings.items():
                verdict = ratings.rate(outcome_findings, record.country_code)
                # bulk_create skips EvidenceRating.save(), which is what fills ``value``.
                evidence.append(
                    EvidenceRating(
                        intervention=intervention,
                        outcome=outcome,
                        computed=verdict.rating,
                        value=verdict.rating,
                        best_sms=verdict.best_sms,
                        studies=verdict.studies,
                        independent_studies=verdict.independent_studies,
                        context=verdict.context,
                        explanation=verdict.explanation[:300],
                    )
                )
                values.append(verdict.rating)
            intervention.best_rating = ratings.best(values)
        # Primary keys come back from bulk_create (RETURNING on SQLite and PostgreSQL),
        # and the children pick them up from the parent objects they were given.
        Intervention.objects.bulk_create(interventions, batch_size=1000)
        InterventionTag.objects.bulk_create(tags, batch_size=2000)
        Source.objects.bulk_create(sources, batch_size=1000)
        Link.objects.bulk_create(
            [Link(intervention_id=i.pk, territory_id=t.pk) for i, t in links], batch_size=2000
        )
        Evaluation.objects.bulk_create(evaluations, batch_size=1000)
        Outcome.objects.bulk_create(outcomes, batch_size=2000)
        EvidenceRating.objects.bulk_create(evidence, batch_size=1000)
        return len(interventions)

    def _place(self, record: DemoIntervention) -> Territory | None:
        """The demo municipality (or its department, for regional programmes) in Colombia."""
        if record.country_code != "CO":
            return None
        municipality = self.municipalities.get(record.city)
        if municipality is None or record.scale == Scale.NATIONAL:
            return None
        if record.scale == Scale.REGIONAL:
            return municipality.parent
        return municipality


def _chunks(records: Iterator[DemoIntervention], size: int) -> Iterator[list[DemoIntervention]]:
    while chunk := list(islice(records, size)):
        yield chunk


def build() -> None:
    """The demo's part of ``load_demo`` (registered in ``convivencia.demo.DEMO_BUILDERS``)."""
    add_interventions(DEMO_SIZE, DEMO_SEED)


@transaction.atomic
def add_interventions(size: int, seed: int = DEMO_SEED, chunk_size: int = 5_000) -> int:
    """Add the synthetic interventions not yet in the database; returns how many were added.

    Safe to run again: interventions are identified by external id ("demo-0001"…),
    and the ones already there are left as they are.
    """
    ensure_exchange_rates()
    existing = set(
        Intervention.objects.filter(is_demo=True, external_id__startswith="demo-").values_list(
            "external_id", flat=True
        )
    )
    missing = (r for r in generate(size, seed) if r.external_id not in existing)
    saver = Saver()
    # In chunks, so that 100,000 interventions for the benchmark never sit in memory at once.
    return sum(saver.save(chunk) for chunk in _chunks(missing, chunk_size))
