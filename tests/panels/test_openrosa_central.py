"""OpenRosa as ODK Central does it: the form id and version of every instance, edits with
deprecatedID, HTTP Digest (RFC 7616) as ODK Collect sends it, Basic over HTTPS only.

The Digest headers are built by ``requests``' HTTPDigestAuth, an independent client,
from the server's own challenge. Personas and helpers come from test_openrosa.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, SubElement, tostring

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from requests.auth import HTTPDigestAuth
from requests.utils import parse_dict_header

from convivencia.panels import aggregates, edits, openrosa, openrosa_auth
from convivencia.panels.models import Aggregate, Item, Questionnaire, Submission, SubmissionEdit
from tests.panels import test_openrosa as base
from tests.panels.test_openrosa import ANSWERS, INSTANCE_ID, basic, message, submit, url

# The personas, panel and wave of test_openrosa, as fixtures of this module too.
places, panel, march, esteban, carlos = (
    base.places,
    base.panel,
    base.march,
    base.esteban,
    base.carlos,
)
fresh_cache = base.fresh_cache

MARCH_END = "2024-03-15T10:00:00.000-05:00"


def instance(answers: dict[str, str], **kwargs) -> bytes:
    """test_openrosa's instance, finished in March (the wave the tests open) unless said."""
    kwargs.setdefault("end", MARCH_END)
    return base.instance(answers, **kwargs)


EDIT_ID = "uuid:0b9d6b7e-4c1f-4a57-8e0d-3f2a6c5d9e21"
SECOND_EDIT_ID = "uuid:7c1e2d3f-5a6b-4c8d-9e0f-1a2b3c4d5e6f"


def edited(answers: dict[str, str], *, new_id: str, old_id: str, **kwargs) -> bytes:
    """An edit as ODK Collect sends it: a new instanceID and the replaced one as deprecatedID."""
    xml = instance(answers, instance_id=new_id, **kwargs).decode()
    return xml.replace(
        "</instanceID>", f"</instanceID><deprecatedID>{old_id}</deprecatedID>", 1
    ).encode()


def of_form(form_id: str, version: str, answers: dict[str, str] = ANSWERS) -> bytes:
    xml = instance(answers).decode()
    return xml.replace('id="popayan" version="1"', f'id="{form_id}" version="{version}"').encode()


def b18_total(wave) -> float:
    item = Item.objects.get(questionnaire=wave.panel.questionnaire, code="B18")
    return Aggregate.objects.get(wave=wave, item=item).total


# --- the form and version of every instance ------------------------------------------------


def test_an_instance_of_another_form_is_refused_with_both_form_ids(client, panel, march, esteban):
    response = submit(client, panel, of_form("some_other_form", "1"))
    assert response.status_code == 400
    assert message(response)[1] == (
        "This submission is for form “some_other_form”, but panel popayan collects form "
        "“popayan”: get the panel's blank form in ODK Collect."
    )
    assert not Submission.objects.exists()


def test_the_current_version_and_the_same_questionnaire_under_an_older_roster_are_accepted(
    client, panel, march, esteban
):
    current = openrosa.xform_for(panel).version
    assert current.startswith("1.")
    assert submit(client, panel, of_form("popayan", current)).status_code == 201
    # "1.<old digest>": the roster changed since, the questions did not.
    other = instance(ANSWERS, respondent="R002", instance_id="uuid:second").decode()
    other = other.replace('version="1"', 'version="1.0000beef"').encode()
    assert submit(client, panel, other).status_code == 201


def test_a_version_that_no_longer_exists_or_no_longer_maps_is_refused(
    client, panel, march, esteban
):
    response = submit(client, panel, of_form("popayan", "7.abcdef01"))
    assert response.status_code == 400
    assert "Version 7.abcdef01 of this form no longer exists on the server" in message(response)[1]
    assert submit(client, panel, of_form("popayan", "")).status_code == 400

    # Version 2 becomes the panel's; version 1 asked B18, which version 2 dropped.
    old = panel.questionnaire
    new = Questionnaire.objects.create(code=old.code, version=2, title=old.title)
    for item in old.items.exclude(code="B18"):
        choices = list(item.choices.all())
        item.pk = None
        item.questionnaire = new
        item.relevant_item = None
        item.save()
        for choice in choices:
            choice.pk = None
            choice.item = item
            choice.save()
    panel.questionnaire = new
    panel.save()
    response = submit(client, panel, of_form("popayan", "1.00000000"))
    assert response.status_code == 400
    assert (
        "Version 1.00000000 of this form asks b18, which the current version (2)"
        in (message(response)[1])
    )
    assert not Submission.objects.exists()


# --- edits -------------------------------------------------------------------------------------


def test_an_edit_replaces_the_submission_keeps_its_history_and_updates_aggregates_once(
    client, panel, march, esteban
):
    assert submit(client, panel, instance(ANSWERS)).status_code == 201
    assert b18_total(march) == 6
    response = submit(
        client, panel, edited({**ANSWERS, "B18": "2"}, new_id=EDIT_ID, old_id=INSTANCE_ID)
    )
    assert response.status_code == 201, message(response)
    assert "it replaces " + INSTANCE_ID in message(response)[1]
    submission = Submission.objects.get()
    assert submission.instance_id == EDIT_ID and submission.wave == march
    assert submission.answers.get(item__code="B18").number == 2
    assert b18_total(march) == 2
    assert aggregates.mismatches([march]) == []
    (replaced,) = edits.history(submission)
    assert (replaced.instance_id, replaced.replaced_by) == (INSTANCE_ID, EDIT_ID)
    assert ["B18", 6.0, None, ""] in replaced.answers

    # An edit of the edit: the chain reads oldest first.
    edit_again = edited({**ANSWERS, "B18": "4"}, new_id=SECOND_EDIT_ID, old_id=EDIT_ID)
    assert submit(client, panel, edit_again).status_code == 201
    chain = edits.history(Submission.objects.get())
    assert [edit.instance_id for edit in chain] == [INSTANCE_ID, EDIT_ID]
    assert b18_total(march) == 4


def test_resending_an_edit_or_the_version_it_replaced_is_answered_202_and_changes_nothing(
    client, panel, march, esteban
):
    submit(client, panel, instance(ANSWERS))
    edit = edited({**ANSWERS, "B18": "2"}, new_id=EDIT_ID, old_id=INSTANCE_ID)
    assert submit(client, panel, edit).status_code == 201
    assert submit(client, panel, edit).status_code == 202
    assert submit(client, panel, instance(ANSWERS)).status_code == 202
    assert Submission.objects.count() == 1 and SubmissionEdit.objects.count() == 1
    assert b18_total(march) == 2


def test_an_edit_of_a_replaced_or_unknown_submission_or_a_bad_edit_is_refused_and_keeps_all(
    client, panel, march, esteban
):
    submit(client, panel, instance(ANSWERS))
    unknown = edited(ANSWERS, new_id=EDIT_ID, old_id="uuid:never-seen")
    response = submit(client, panel, unknown)
    assert response.status_code == 400
    assert (
        "replaces submission uuid:never-seen, which this server does not have"
        in (message(response)[1])
    )
    bad = edited({**ANSWERS, "B18": "99"}, new_id=EDIT_ID, old_id=INSTANCE_ID)
    response = submit(client, panel, bad)
    assert response.status_code == 400 and "[B18]" in message(response)[1]
    assert Submission.objects.get().instance_id == INSTANCE_ID
    assert not SubmissionEdit.objects.exists()
    assert b18_total(march) == 6

    submit(client, panel, edited(ANSWERS, new_id=EDIT_ID, old_id=INSTANCE_ID))
    stale = edited(ANSWERS, new_id=SECOND_EDIT_ID, old_id=INSTANCE_ID)
    response = submit(client, panel, stale)
    assert response.status_code == 400
    assert f"which an earlier edit ({EDIT_ID}) already replaced" in message(response)[1]


def test_an_edit_saved_in_april_stays_in_the_march_wave_it_edits(client, panel, march, esteban):
    submit(client, panel, instance(ANSWERS, end="2024-03-30T18:00:00.000-05:00"))
    edit = edited(ANSWERS, new_id=EDIT_ID, old_id=INSTANCE_ID, end="2024-04-02T09:00:00.000-05:00")
    assert submit(client, panel, edit).status_code == 201
    assert Submission.objects.get().wave == march


# --- Digest and Basic --------------------------------------------------------------------------


def digest_header(client, path: str, username: str, password: str, method: str = "GET") -> str:
    """The Authorization header requests would send after the server's 401 challenge."""
    challenge = client.generic(method, path)["WWW-Authenticate"]
    digest = challenge.split(", Basic ")[0]
    auth = HTTPDigestAuth(username, password)
    auth.init_per_thread_state()
    auth._thread_local.chal = parse_dict_header(digest.removeprefix("Digest "))
    return auth.build_digest_header(method, f"http://testserver{path}")


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_odk_collects_digest_login_works_with_the_collect_password(
    client, panel, march, esteban, algorithm
):
    password = openrosa_auth.issue(esteban)
    path = url("formlist", panel)
    with override_settings(OPENROSA_DIGEST_ALGORITHM=algorithm):
        header = digest_header(client, path, "esteban", password)
    assert f'algorithm="{algorithm}"' in header
    response = client.get(path, headers={"authorization": header})
    assert response.status_code == 200, response.content
    assert b"<formID>popayan</formID>" in response.content

    submission_path = url("submission", panel)
    header = digest_header(client, submission_path, "esteban", password, method="POST")
    upload = SimpleUploadedFile("submission.xml", instance(ANSWERS), content_type="text/xml")
    response = client.post(
        submission_path, {"xml_submission_file": upload}, headers={"authorization": header}
    )
    assert response.status_code == 201
    assert Submission.objects.get().enumerator == esteban


def test_a_wrong_replayed_or_stale_digest_is_refused(client, panel, march, esteban):
    password = openrosa_auth.issue(esteban)
    path = url("formlist", panel)
    wrong = digest_header(client, path, "esteban", "not-the-password")
    assert client.get(path, headers={"authorization": wrong}).status_code == 401
    assert AccessAttempt.objects.filter(username="esteban").exists()  # counts toward lock-out

    header = digest_header(client, path, "esteban", password)
    assert client.get(path, headers={"authorization": header}).status_code == 200
    replayed = client.get(path, headers={"authorization": header})
    assert replayed.status_code == 401

    header = digest_header(client, path, "esteban", password)
    nonce = parse_dict_header(header.removeprefix("Digest "))["nonce"]
    openrosa_auth.cache.delete(openrosa_auth._nonce_key(nonce))
    stale = client.get(path, headers={"authorization": header})
    assert stale.status_code == 401 and "stale=true" in stale["WWW-Authenticate"]

    # Another path than the one the response was computed for.
    header = digest_header(client, path, "esteban", password)
    assert client.get(url("submission", panel), headers={"authorization": header}).status_code in (
        401,
        405,
    )


def test_the_account_password_is_not_a_digest_secret(client, panel, march, esteban):
    # Digest needs the Collect password: the account's own is never stored in a usable form.
    path = url("formlist", panel)
    header = digest_header(client, path, "esteban", "correct horse battery")
    assert client.get(path, headers={"authorization": header}).status_code == 401


@override_settings(OPENROSA_BASIC_OVER_HTTP=False)
def test_basic_is_refused_over_plain_http_and_accepted_over_https(client, panel, march, esteban):
    path = url("formlist", panel)
    response = client.get(path, headers=basic("esteban"))
    assert response.status_code == 401
    assert "Basic login is accepted over HTTPS only" in message(response)[1]
    assert "Basic" not in response["WWW-Authenticate"]
    assert client.get(path, headers=basic("esteban"), secure=True).status_code == 200
    unauthenticated = client.get(path, secure=True)
    assert unauthenticated["WWW-Authenticate"].endswith(
        'Basic realm="Convivencia", charset="UTF-8"'
    )


def test_a_new_collect_password_replaces_the_old_one(client, panel, march, esteban):
    first = openrosa_auth.issue(esteban)
    second = openrosa_auth.issue(esteban)
    path = url("formlist", panel)
    old = digest_header(client, path, "esteban", first)
    assert client.get(path, headers={"authorization": old}).status_code == 401
    new = digest_header(client, path, "esteban", second)
    assert client.get(path, headers={"authorization": new}).status_code == 200


def test_a_collect_password_of_someone_without_the_territory_gets_404(client, panel, carlos):
    password = openrosa_auth.issue(carlos)
    path = url("formlist", panel)
    header = digest_header(client, path, "carlos", password)
    assert client.get(path, headers={"authorization": header}).status_code == 404


def test_the_instance_keeps_form_id_version_and_deprecated_id():
    root = Element("data", id="f", version="3")
    SubElement(root, "respondent").text = "R1"
    group = SubElement(root, "g")
    SubElement(group, "q").text = "a"
    SubElement(group, "q").text = "b"
    meta = SubElement(root, "meta")
    SubElement(meta, "instanceID").text = "uuid:new"
    SubElement(meta, "deprecatedID").text = "uuid:old"
    parsed = openrosa.parse_instance(tostring(root), set())
    assert (parsed.form_id, parsed.form_version, parsed.deprecated_id) == ("f", "3", "uuid:old")
    assert parsed.fields == {"respondent": "R1", "g/q": ["a", "b"]}


def test_a_collector_makes_their_collect_password_on_the_panel_page_and_collect_logs_in(
    client, panel, march, esteban
):
    client.force_login(esteban)
    page_url = reverse("panels:collection:collect_password", args=[panel.code])
    assert page_url in client.get(reverse("panels:collection:panel", args=[panel.code])).text
    page = client.get(page_url)
    assert page.status_code == 200 and "Make my ODK Collect password" in page.text
    made = client.post(page_url)
    assert made["Cache-Control"] == "no-store"
    password = re.search(r'data-testid="collect-password">([^<]+)<', made.text).group(1)
    assert "Make a new password" in client.get(page_url).text
    assert password not in client.get(page_url).text  # shown that once only

    client.logout()
    path = url("formlist", panel)
    header = digest_header(client, path, "esteban", password)
    assert client.get(path, headers={"authorization": header}).status_code == 200


# --- a form made elsewhere, read through its field mapping -------------------------------------


@pytest.fixture
def kobo_panel(places):
    from tests.panels.builders import make_panel, make_wave
    from tests.panels.test_mapping import map_mini_form

    panel = make_panel(places.popayan, size=3, code="kobo")
    Questionnaire.objects.filter(pk=panel.questionnaire_id).update(
        form_id="convivencia_kobo", form_version="2026110301"
    )
    panel.refresh_from_db()
    map_mini_form(panel.questionnaire)
    make_wave(panel, "2024-03")
    return panel


def kobo_instance(version: str = "2026110301", instance_id: str = "uuid:kobo-1") -> bytes:
    """An instance of the KoBoToolbox form the questionnaire was imported from."""
    return f"""<?xml version="1.0"?>
<data xmlns:jr="http://openrosa.org/javarosa" id="convivencia_kobo" version="{version}">
  <start>2024-03-10T09:00:00.000-05:00</start><end>2024-03-10T09:20:00.000-05:00</end>
  <datos><codigo_lider>R001</codigo_lider></datos>
  <confianza><policia>mucha</policia></confianza>
  <seguridad><barrio>2</barrio></seguridad>
  <victima><fue_victima>no</fue_victima></victima>
  <problemas>robos grupos_armados</problemas>
  <fecha_visita>2024-03-10</fecha_visita>
  <foto>1710080000.jpg</foto>
  <meta><instanceID>{instance_id}</instanceID></meta>
</data>""".encode()


def test_an_instance_of_the_form_made_elsewhere_is_read_through_its_mapping(
    client, kobo_panel, esteban
):
    response = submit(client, kobo_panel, kobo_instance())
    assert response.status_code == 201, message(response)
    submission = Submission.objects.get(instance_id="uuid:kobo-1")
    answers = dict(submission.answers.values_list("item__code", "number"))
    assert answers["B18"] == 7 and answers["VIC1"] == 0
    assert set(
        submission.answers.filter(item__code="PROBLEMS").values_list("number", flat=True)
    ) == {1, 3}
    assert submission.raw_values == {"fecha_visita": "2024-03-10"}

    stale = submit(client, kobo_panel, kobo_instance("2025010101", "uuid:kobo-2"))
    assert stale.status_code == 400
    assert "Version 2025010101 of this form no longer exists on the server" in message(stale)[1]


def test_an_edit_cannot_replace_another_panels_submission(
    client, panel, march, kobo_panel, esteban
):
    assert submit(client, panel, instance(ANSWERS)).status_code == 201
    edit = kobo_instance(instance_id=EDIT_ID).replace(
        b"</instanceID>", f"</instanceID><deprecatedID>{INSTANCE_ID}</deprecatedID>".encode()
    )
    response = submit(client, kobo_panel, edit)
    assert response.status_code == 400
    assert "which this server does not have" in message(response)[1]
    assert Submission.objects.get().instance_id == INSTANCE_ID
    assert b18_total(march) == 6
