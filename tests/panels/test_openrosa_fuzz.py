"""The OpenRosa server under fuzzing: whatever arrives — instances with random and
unknown fields, huge values, broken XML, entity bombs, wrong content types, missing
parts — the answer is never a 500, always an OpenRosaResponse with a message, and a
submission is stored whole (its answers and aggregates with it) or not at all.

Esteban is an enumerator in Popayán and logs in with an API token (as ODK Collect can),
which keeps each request fast enough for a few hundred of them. The Popayán panel asks
the default questionnaire plus a number and a free text, so every kind of value is read.
"""

from __future__ import annotations

import base64
import string
import uuid
from collections.abc import Iterator
from xml.etree.ElementTree import Element, SubElement, tostring

import pytest
from defusedxml.ElementTree import ParseError, fromstring
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convivencia.accounts.choices import Role
from convivencia.accounts.models import ApiToken, User
from convivencia.panels import aggregates, services
from convivencia.panels.choices import ItemType
from convivencia.panels.models import Answer, Item, Panel, Respondent, Submission, Wave
from convivencia.panels.questionnaire_default import ensure_default_questionnaire
from tests.factories import grant, make_colombia, make_organisation, make_user

RESPONSE_NS = "{http://openrosa.org/http/response}"
CODES = [f"R{number:03d}" for number in range(1, 21)]
# Every required item of the default questionnaire; VIC1 = 1 asks VIC1_REPORT.
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
    "YEARS": "34",
    "NOTE": "Todo tranquilo",
}
END = "2024-03-20T10:00:00.000-05:00"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def panel(db) -> Panel:
    places = make_colombia()
    questionnaire = ensure_default_questionnaire()
    Item.objects.create(
        questionnaire=questionnaire,
        code="YEARS",
        position=900,
        type=ItemType.NUMBER,
        scale_min=0,
        scale_max=120,
        wording={"es": "Años en el liderazgo"},
    )
    Item.objects.create(
        questionnaire=questionnaire,
        code="NOTE",
        position=901,
        type=ItemType.TEXT,
        wording={"es": "Algo más"},
    )
    panel = Panel.objects.create(
        code="popayan",
        territory=places.popayan,
        questionnaire=questionnaire,
        local_provider_name="la Guardia Indígena",
    )
    Respondent.objects.bulk_create(
        [Respondent(panel=panel, code=code, role="jac") for code in CODES]
    )
    services.open_wave(panel, "2024-03", None)
    esteban = make_user("esteban")
    grant(esteban, make_organisation("Programa"), Role.ENUMERATOR, [places.popayan])
    return panel


@pytest.fixture
def token(panel) -> str:
    _token, clear = ApiToken.issue(User.objects.get(username="esteban"), "ODK Collect")
    return clear


def basic(secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"esteban:{secret}".encode()).decode()
    return {"authorization": f"Basic {encoded}", "accept-language": "en"}


def url(name: str, panel: Panel, *args: str) -> str:
    return reverse(f"panels:collection:{name}", args=[panel.code, *args])


def instance(
    values: dict[str, str],
    *,
    respondent: str = "R001",
    end: str | None = END,
    instance_id: str | None = None,
    extra: dict[str, str] | None = None,
) -> bytes:
    root = Element("data", id="popayan", version="1")
    SubElement(root, "respondent").text = respondent
    group = SubElement(root, "grupo")
    for code, value in values.items():
        SubElement(group if code.startswith("B") else root, code).text = value
    for name, value in (extra or {}).items():
        SubElement(root, name).text = value
    if end is not None:
        SubElement(root, "end").text = end
    meta = SubElement(root, "meta")
    SubElement(meta, "instanceID").text = instance_id or f"uuid:{uuid.uuid4()}"
    return tostring(root, encoding="utf-8", xml_declaration=True)


def stored() -> tuple[int, int]:
    return Submission.objects.count(), Answer.objects.count()


def message_of(response) -> str:
    """The OpenRosaResponse's message: present and not empty, whatever the status."""
    try:
        root = fromstring(response.content)
    except ParseError as exc:
        raise AssertionError(
            f"{response.status_code}: not XML: {response.content[:300]!r}"
        ) from exc
    assert root.tag == f"{RESPONSE_NS}OpenRosaResponse", response.content[:300]
    element = root.find(f"{RESPONSE_NS}message")
    assert element is not None and (element.text or "").strip(), response.content[:300]
    return element.text


@pytest.fixture
def post(panel, token):
    """Send a request to the submission URL and check what every answer must hold."""

    def send(**request) -> tuple[int, str]:
        before = stored()
        client = Client(raise_request_exception=False)
        # Each example in a savepoint rolled back afterwards: they all start alike.
        with transaction.atomic():
            response = client.post(url("submission", panel), headers=basic(token), **request)
            status = response.status_code
            assert status < 500, response.content[:500]
            text = message_of(response)
            after = stored()
            if status == 201:
                assert after[0] == before[0] + 1 and after[1] > before[1]
                wave = Wave.objects.select_related("panel").get(panel=panel)
                assert aggregates.mismatches([wave]) == []
            else:
                assert after == before, (status, text)
            transaction.set_rollback(True)
        return status, text

    return send


def upload(xml: bytes, name: str = "submission.xml", content_type: str = "text/xml") -> dict:
    return {"data": {"xml_submission_file": SimpleUploadedFile(name, xml, content_type)}}


# --- strategies ----------------------------------------------------------------------------

# Characters XML 1.0 allows, most of the time; now and then one it does not (a broken file).
xml_text = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40),
    st.text(max_size=10),
)
field_value = st.one_of(
    st.sampled_from(
        [
            "1",
            "4",
            "7",
            "88",
            "98",
            "0",
            "1 2 3",
            "-1",
            "8",
            "1e400",
            "nan",
            "inf",
            "-inf",
            "1.5",
            "١",
            "Sí",
            "Mucho",
            "  5 ",
            "",
            "1,5",
            "99999999999999999999",
        ]
    ),
    xml_text,
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
names = st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_.-]{0,20}\Z")
moments = st.one_of(
    st.just(END),
    st.just(""),
    xml_text,
    st.datetimes().map(lambda moment: moment.isoformat() + "-05:00"),
    st.sampled_from(
        [
            "2024-03-31T23:59:59+14:00",
            "2024-03-01T00:00:00-12:00",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00+23:59",
            "2024-02-30",
        ]
    ),
)
instance_ids = st.one_of(
    st.none(), xml_text, st.text(string.ascii_letters, min_size=90, max_size=300)
)


@st.composite
def instances(draw) -> bytes:
    values = dict(ANSWERS)
    for code in draw(st.lists(st.sampled_from(list(ANSWERS)), unique=True, max_size=6)):
        values[code] = draw(field_value)
    for code in draw(st.lists(st.sampled_from(list(ANSWERS)), unique=True, max_size=3)):
        del values[code]
    return instance(
        values,
        respondent=draw(st.one_of(st.sampled_from(CODES), xml_text)),
        end=draw(st.one_of(st.none(), moments)),
        instance_id=draw(instance_ids),
        extra=draw(st.dictionaries(names, xml_text, max_size=4)),
    )


@st.composite
def mutated(draw) -> bytes:
    """A valid instance broken at random: cut, bytes inserted, a span removed or doubled."""
    data = bytearray(instance(ANSWERS, respondent=draw(st.sampled_from(CODES))))
    for _mutation in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["cut", "insert", "delete", "double"]))
        if kind == "cut":
            del data[where:]
        elif kind == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=20))
        elif kind == "delete":
            del data[where : where + draw(st.integers(1, 30))]
        else:
            data[where:where] = data[max(0, where - 30) : where]
    return bytes(data)


# --- submissions ---------------------------------------------------------------------------


def test_a_valid_instance_is_stored_whole(post):
    assert post(**upload(instance(ANSWERS)))[0] == 201


@FUZZ
@given(xml=instances())
def test_random_instances_are_stored_whole_or_refused_with_a_message(post, xml):
    post(**upload(xml))


def test_an_unknown_encoding_in_the_xml_declaration_is_refused_with_a_message(post):
    # Found by the fuzzer below: a cut declaration ("tf-8") raised LookupError, a 500.
    xml = instance(ANSWERS).replace(b"utf-8", b"tf-8", 1)  # the declaration comes first
    assert xml.startswith(b"<?xml") and b"tf-8" in xml.split(b"?>")[0]
    status, text = post(**upload(xml))
    assert status == 400
    assert "not a readable XForm instance" in text


@FUZZ
@given(xml=mutated())
def test_broken_instances_are_refused_with_a_message_and_store_nothing(post, xml):
    post(**upload(xml))


@FUZZ
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_are_refused_with_a_message(post, data):
    assert post(**upload(data))[0] == 400


BOMBS = {
    "billion laughs": b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>
<data><respondent>R001</respondent><B18>&h;</B18><meta><instanceID>x</instanceID></meta></data>""",
    "quadratic blow-up": b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY a "'
    + b"a" * 50_000
    + b'">]><data><respondent>R001</respondent><NOTE>'
    + b"&a;" * 2_000
    + b"</NOTE></data>",
    "external entity": b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<data><respondent>&secret;</respondent><meta><instanceID>x</instanceID></meta></data>""",
    "external DTD": b"""<?xml version="1.0"?>
<!DOCTYPE data SYSTEM "http://example.org/evil.dtd"><data><respondent>R001</respondent></data>""",
    "parameter entity": b"""<?xml version="1.0"?>
<!DOCTYPE data [<!ENTITY % p SYSTEM "http://example.org/p.dtd"> %p;]><data/>""",
    "internal entity in a value": instance(ANSWERS)
    .replace(
        b"<?xml version='1.0' encoding='utf-8'?>",
        b"<?xml version='1.0' encoding='utf-8'?><!DOCTYPE data [<!ENTITY six \"6\">]>",
    )
    .replace(b"<B18>6</B18>", b"<B18>&six;</B18>"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
def test_entities_and_document_types_are_refused_without_being_expanded(post, bomb):
    status, text = post(**upload(bomb))
    assert status == 400
    assert "root:" not in text  # nothing of /etc/passwd comes back


def test_a_huge_free_text_is_stored_cut_to_its_limit(post, panel, token):
    xml = instance(dict(ANSWERS, NOTE="x" * 2_000_000))
    assert post(**upload(xml))[0] == 201
    # post() rolls its request back: send it once more to look at the text kept.
    Client().post(url("submission", panel), headers=basic(token), **upload(xml))
    assert len(Answer.objects.get(item__code="NOTE").text) == 5000


def test_a_huge_value_that_is_no_answer_refuses_the_submission(post):
    status, _text = post(**upload(instance(dict(ANSWERS, B18="7" * 100_000))))
    assert status == 400


def test_a_file_larger_than_announced_is_refused_as_too_large(post):
    xml = instance(dict(ANSWERS, NOTE="x" * (11 * 1024 * 1024)))
    assert post(**upload(xml))[0] == 413


def test_an_instance_id_longer_than_the_database_keeps_is_refused(post):
    status, text = post(**upload(instance(ANSWERS, instance_id="x" * 101)))
    assert status == 400 and "100" in text


# --- what carries the instance -------------------------------------------------------------

TRANSPORTS = {
    "raw XML body": {"data": instance(ANSWERS), "content_type": "text/xml"},
    "JSON body": {
        "data": b'{"xml_submission_file": "<data/>"}',
        "content_type": "application/json",
    },
    "empty body": {"data": b"", "content_type": "text/xml"},
    "form field instead of a file": {"data": {"xml_submission_file": "<data/>"}},
    "file under another name": {"data": {"photo": SimpleUploadedFile("a.xml", b"<data/>")}},
    "multipart without the boundary": {
        "data": b'--nothing\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n',
        "content_type": "multipart/form-data",
    },
    "multipart cut short": {
        "data": b'--B\r\nContent-Disposition: form-data; name="xml_submission_file"; '
        b'filename="s.xml"\r\nContent-Type: text/xml\r\n\r\n<data>',
        "content_type": "multipart/form-data; boundary=B",
    },
    "multipart with a broken header": {
        "data": b"--B\r\nContent-Disposition: form-data; name\r\n\r\n\x00\r\n--B--\r\n",
        "content_type": "multipart/form-data; boundary=B",
    },
    "an image instead of XML": {
        "data": {
            "xml_submission_file": SimpleUploadedFile(
                "submission.xml", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "image/png"
            )
        }
    },
    "an empty file": {
        "data": {"xml_submission_file": SimpleUploadedFile("submission.xml", b"", "text/xml")}
    },
    "UTF-16 without a declaration": {
        "data": {
            "xml_submission_file": SimpleUploadedFile(
                "submission.xml", instance(ANSWERS).decode().encode("utf-16"), "text/xml"
            )
        }
    },
}


@pytest.mark.parametrize("request_parts", TRANSPORTS.values(), ids=TRANSPORTS.keys())
def test_wrong_content_types_and_missing_parts_are_refused_with_a_message(post, request_parts):
    assert post(**request_parts)[0] in {400, 413}


# --- form list and form download -----------------------------------------------------------


@pytest.fixture
def get(panel, token) -> Iterator:
    def fetch(path: str, **params) -> int:
        response = Client(raise_request_exception=False).get(path, params, headers=basic(token))
        assert response.status_code < 500, response.content[:500]
        assert response["X-OpenRosa-Version"] == "1.0"
        if response.status_code != 200:
            message_of(response)
        return response.status_code

    return fetch


@FUZZ
@given(form_id=st.one_of(st.text(max_size=50), st.just("popayan")))
def test_the_form_list_answers_any_form_id_it_is_asked_for(get, panel, form_id):
    assert get(url("formlist", panel), formID=form_id) == 200


@FUZZ
@given(form_id=st.text(string.ascii_letters + string.digits + "-_.~%", min_size=1, max_size=60))
def test_downloading_any_form_id_is_the_form_or_not_found(get, panel, form_id):
    assert get(url("xform", panel, form_id)) in {200, 404}
