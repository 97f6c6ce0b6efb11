"""Code tables the importers need and no file carries.

National statistical offices number their first-level subdivisions with two
digits; ISO 3166-2 uses letters. No official file links the two, so the link
is kept here, checked by tests against pycountry.
"""

from __future__ import annotations

from types import MappingProxyType

# DANE DIVIPOLA department code → ISO 3166-2 (Colombia).
DIVIPOLA_TO_ISO = MappingProxyType(
    {
        "05": "CO-ANT",
        "08": "CO-ATL",
        "11": "CO-DC",
        "13": "CO-BOL",
        "15": "CO-BOY",
        "17": "CO-CAL",
        "18": "CO-CAQ",
        "19": "CO-CAU",
        "20": "CO-CES",
        "23": "CO-COR",
        "25": "CO-CUN",
        "27": "CO-CHO",
        "41": "CO-HUI",
        "44": "CO-LAG",
        "47": "CO-MAG",
        "50": "CO-MET",
        "52": "CO-NAR",
        "54": "CO-NSA",
        "63": "CO-QUI",
        "66": "CO-RIS",
        "68": "CO-SAN",
        "70": "CO-SUC",
        "73": "CO-TOL",
        "76": "CO-VAC",
        "81": "CO-ARA",
        "85": "CO-CAS",
        "86": "CO-PUT",
        "88": "CO-SAP",
        "91": "CO-AMA",
        "94": "CO-GUA",
        "95": "CO-GUV",
        "97": "CO-VAU",
        "99": "CO-VID",
    }
)

# INEGI entidad federativa code (cve_ent) → ISO 3166-2 (Mexico).
INEGI_TO_ISO = MappingProxyType(
    {
        "01": "MX-AGU",
        "02": "MX-BCN",
        "03": "MX-BCS",
        "04": "MX-CAM",
        "05": "MX-COA",
        "06": "MX-COL",
        "07": "MX-CHP",
        "08": "MX-CHH",
        "09": "MX-CMX",
        "10": "MX-DUR",
        "11": "MX-GUA",
        "12": "MX-GRO",
        "13": "MX-HID",
        "14": "MX-JAL",
        "15": "MX-MEX",
        "16": "MX-MIC",
        "17": "MX-MOR",
        "18": "MX-NAY",
        "19": "MX-NLE",
        "20": "MX-OAX",
        "21": "MX-PUE",
        "22": "MX-QUE",
        "23": "MX-ROO",
        "24": "MX-SLP",
        "25": "MX-SIN",
        "26": "MX-SON",
        "27": "MX-TAB",
        "28": "MX-TAM",
        "29": "MX-TLA",
        "30": "MX-VER",
        "31": "MX-YUC",
        "32": "MX-ZAC",
    }
)

# IBGE unidade da federação code → ISO 3166-2 (Brazil).
IBGE_TO_ISO = MappingProxyType(
    {
        "11": "BR-RO",
        "12": "BR-AC",
        "13": "BR-AM",
        "14": "BR-RR",
        "15": "BR-PA",
        "16": "BR-AP",
        "17": "BR-TO",
        "21": "BR-MA",
        "22": "BR-PI",
        "23": "BR-CE",
        "24": "BR-RN",
        "25": "BR-PB",
        "26": "BR-PE",
        "27": "BR-AL",
        "28": "BR-SE",
        "29": "BR-BA",
        "31": "BR-MG",
        "32": "BR-ES",
        "33": "BR-RJ",
        "35": "BR-SP",
        "41": "BR-PR",
        "42": "BR-SC",
        "43": "BR-RS",
        "50": "BR-MS",
        "51": "BR-MT",
        "52": "BR-GO",
        "53": "BR-DF",
    }
)

# Digits of a region code and of a full municipality code, per national scheme.
# Files saved through a spreadsheet lose leading zeros; these widths restore them.
CODE_WIDTHS = MappingProxyType(
    {
        "divipola": (2, 5),
        "inegi": (2, 5),
        "ibge": (2, 7),
    }
)

# pycountry subdivision types, in the word a Spanish-speaking user expects.
# Types not listed keep pycountry's English word, lower-cased.
SUBDIVISION_KINDS = MappingProxyType(
    {
        "autonomous community": "comunidad autónoma",
        "autonomous region": "región autónoma",
        "canton": "cantón",
        "capital district": "distrito capital",
        "city": "ciudad",
        "commune": "comuna",
        "county": "condado",
        "department": "departamento",
        "district": "distrito",
        "federal district": "distrito federal",
        "federal entity": "entidad federativa",
        "governorate": "gobernación",
        "municipality": "municipio",
        "parish": "parroquia",
        "prefecture": "prefectura",
        "province": "provincia",
        "region": "región",
        "republic": "república",
        "state": "estado",
    }
)
