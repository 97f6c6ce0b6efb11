"""OpenRosa instances as ODK Collect sends them, shared by the locustfile and ``run.py``.

Kept apart from the locustfile because importing locust patches the standard library for
gevent, which ``run.py`` (threads, subprocesses) must not get.
"""

from __future__ import annotations

import base64
from xml.etree.ElementTree import Element, SubElement, tostring

# One interview's answers (codes of the default questionnaire).
ANSWERS = {
    "B18": "6",
    "B12": "5",
    "B10A": "3",
    "B32": "4",
    "PROSEC": "2",
    "JUDGES": "88",
    "LOCALPROV": "7",
    "AOJ11": "2",
    "AOJ12": "3",
    "UNSAFE_WALK": "1",
    "VIC1": "1",
    "VIC1_REPORT": "0",
    "POLRESPECT": "2",
    "POLTIME": "3",
    "SAFER": "2",
    "ROADS": "1",
    "PROBLEMS": "1 3",
}


def instance_xml(
    respondent: str, end: str, instance_id: str, form: tuple[str, str] = ("convivencia", "1")
) -> bytes:
    """One interview (the trust items inside a group, as XLSForm groups them) of ``form``
    (id, version): the server refuses an instance of another form, as ODK Central does."""
    root = Element("data", id=form[0], version=form[1])
    SubElement(root, "respondent").text = respondent
    group = SubElement(root, "grupo_confianza")
    for code, value in ANSWERS.items():
        SubElement(group if code.startswith("B") else root, code).text = value
    SubElement(root, "end").text = end
    SubElement(SubElement(root, "meta"), "instanceID").text = instance_id
    return tostring(root, encoding="utf-8", xml_declaration=True)


def basic_auth(username: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{secret}".encode()).decode()
