"""The territories of the synthetic demo, which every other app's demo places its data in.

Names and DIVIPOLA codes of departments and municipalities are public facts, and so are
their boundaries: DANE's MGN 2018, simplified, shipped in ``static/territories/boundaries``
(``territories.basemaps``), with Colombia's outline drawn from its departments. Every
population figure here is invented.
"""

from __future__ import annotations

from convivencia.core import demo_clock
from convivencia.territories import basemaps
from convivencia.territories.choices import Level, Scheme
from convivencia.territories.importers.boundaries import clean_geometry
from convivencia.territories.models import Boundary, Population, Territory
from convivencia.territories.services import ensure_country, upsert_territory

POPULATION_SOURCE = "Demo data (synthetic)"
# The story's years (core.demo_clock): 2018–2024 when it was written, moved to today's.
FIRST_YEAR, LAST_YEAR = 2018, 2024

# (DIVIPOLA, ISO 3166-2, name)
DEPARTMENTS = [
    ("05", "CO-ANT", "Antioquia"),
    ("18", "CO-CAQ", "Caquetá"),
    ("19", "CO-CAU", "Cauca"),
    ("52", "CO-NAR", "Nariño"),
    ("54", "CO-NSA", "Norte de Santander"),
]
# (DIVIPOLA, name, latitude, longitude of the seat, synthetic 2024 population); the seats
# place the demo's evidence and panels' points, the boundaries come from DANE.
MUNICIPALITIES = [
    ("05001", "Medellín", 6.2442, -75.5812, 2_600_000),
    ("05045", "Apartadó", 7.8829, -76.6258, 121_000),
    ("05837", "Turbo", 8.0929, -76.7284, 134_000),
    ("05154", "Caucasia", 7.9866, -75.1934, 118_000),
    ("18001", "Florencia", 1.6144, -75.6062, 185_000),
    ("18753", "San Vicente del Caguán", 2.1153, -74.7700, 55_000),
    ("18150", "Cartagena del Chairá", 1.3350, -74.8436, 33_000),
    ("19001", "Popayán", 2.4448, -76.6147, 343_000),
    ("19698", "Santander de Quilichao", 3.0094, -76.4847, 101_000),
    ("19821", "Toribío", 2.9550, -76.2700, 32_000),
    ("19256", "El Tambo", 2.4517, -76.8103, 48_000),
    ("52001", "Pasto", 1.2136, -77.2811, 392_000),
    ("52835", "San Andrés de Tumaco", 1.8067, -78.7647, 267_000),
    ("52356", "Ipiales", 0.8302, -77.6444, 150_000),
    ("54001", "San José de Cúcuta", 7.8939, -72.5078, 800_000),
    ("54810", "Tibú", 8.6390, -72.7350, 62_000),
    ("54498", "Ocaña", 8.2375, -73.3560, 130_000),
]


def _population(territory: Territory, value_last: int) -> None:
    moved = demo_clock.years()
    for year in range(FIRST_YEAR + moved, LAST_YEAR + moved + 1):
        # Back-cast at 1.1 % a year: plausible, and obviously not an official figure.
        value = round(value_last / (1.011 ** (LAST_YEAR + moved - year)))
        Population.objects.update_or_create(
            territory=territory, year=year, source=POPULATION_SOURCE, defaults={"value": value}
        )


def build_territories() -> dict[str, Territory]:
    colombia = ensure_country("CO")
    departments = basemaps.colombia_geometries(basemaps.COLOMBIA_DEPARTMENTS, "DPTO_CCDGO")
    municipalities = basemaps.colombia_geometries(basemaps.COLOMBIA_MUNICIPALITIES, "MPIO_CCNCT")
    _boundary(colombia, basemaps.colombia().outline(basemaps.COLOMBIA_DEPARTMENTS))
    by_code: dict[str, Territory] = {}
    for divipola, iso, name in DEPARTMENTS:
        department, _ = upsert_territory(
            parent=colombia,
            level=Level.REGION,
            name=name,
            kind="departamento",
            codes={Scheme.DIVIPOLA: divipola, Scheme.ISO: iso},
        )
        by_code[divipola] = department
        _boundary(department, departments[divipola])
    for divipola, name, _latitude, _longitude, population in MUNICIPALITIES:
        municipality, _ = upsert_territory(
            parent=by_code[divipola[:2]],
            level=Level.MUNICIPALITY,
            name=name,
            kind="municipio",
            codes={Scheme.DIVIPOLA: divipola},
        )
        by_code[divipola] = municipality
        _population(municipality, population)
        _boundary(municipality, municipalities[divipola])
    return by_code


def _boundary(territory: Territory, geometry: dict) -> None:
    Boundary.objects.update_or_create(
        territory=territory,
        defaults={"geometry": clean_geometry(geometry), "source": basemaps.COLOMBIA_SOURCE},
    )
