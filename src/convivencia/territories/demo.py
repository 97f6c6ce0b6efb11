"""The territories of the synthetic demo, which every other app's demo places its data in.

Names and DIVIPOLA codes of departments and municipalities are public facts; every
population figure and boundary here is invented (boundaries are small hexagons around the
real municipal seats, enough to find a place on a map).
"""

from __future__ import annotations

import math

from convivencia.territories.choices import Level, Scheme
from convivencia.territories.models import Boundary, Population, Territory
from convivencia.territories.services import ensure_country, upsert_territory

POPULATION_SOURCE = "Demo data (synthetic)"
YEARS = range(2018, 2025)

# (DIVIPOLA, ISO 3166-2, name)
DEPARTMENTS = [
    ("05", "CO-ANT", "Antioquia"),
    ("18", "CO-CAQ", "Caquetá"),
    ("19", "CO-CAU", "Cauca"),
    ("52", "CO-NAR", "Nariño"),
    ("54", "CO-NSA", "Norte de Santander"),
]
# (DIVIPOLA, name, latitude, longitude of the seat, synthetic 2024 population)
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


def hexagon(latitude: float, longitude: float, radius: float) -> dict:
    ring = [
        [
            round(longitude + radius * math.cos(math.radians(angle)), 5),
            round(latitude + radius * math.sin(math.radians(angle)), 5),
        ]
        for angle in range(0, 360, 60)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


def _bounding_polygon(points: list[tuple[float, float]], margin: float) -> dict:
    latitudes = [lat for lat, _ in points]
    longitudes = [lon for _, lon in points]
    south, north = min(latitudes) - margin, max(latitudes) + margin
    west, east = min(longitudes) - margin, max(longitudes) + margin
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring]]}


def _population(territory: Territory, value_2024: int) -> None:
    for year in YEARS:
        # Back-cast at 1.1 % a year: plausible, and obviously not an official figure.
        value = round(value_2024 / (1.011 ** (2024 - year)))
        Population.objects.update_or_create(
            territory=territory, year=year, source=POPULATION_SOURCE, defaults={"value": value}
        )


def build_territories() -> dict[str, Territory]:
    colombia = ensure_country("CO")
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
    seats: dict[str, list[tuple[float, float]]] = {}
    for divipola, name, latitude, longitude, population in MUNICIPALITIES:
        department = by_code[divipola[:2]]
        municipality, _ = upsert_territory(
            parent=department,
            level=Level.MUNICIPALITY,
            name=name,
            kind="municipio",
            codes={Scheme.DIVIPOLA: divipola},
        )
        by_code[divipola] = municipality
        _population(municipality, population)
        Boundary.objects.update_or_create(
            territory=municipality,
            defaults={"geometry": hexagon(latitude, longitude, 0.12), "source": POPULATION_SOURCE},
        )
        seats.setdefault(divipola[:2], []).append((latitude, longitude))
    for divipola, points in seats.items():
        Boundary.objects.update_or_create(
            territory=by_code[divipola],
            defaults={"geometry": _bounding_polygon(points, 0.3), "source": POPULATION_SOURCE},
        )
    return by_code
