"""create_panel, import_roster, export_xlsform and import_xlsform."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation
from pyxform.xls2xform import convert

from convivencia.accounts.choices import AuditAction
from convivencia.accounts.models import AuditEntry
from convivencia.panels.models import Panel, Questionnaire, Respondent
from tests.factories import make_colombia
from tests.panels import add_respondent, make_default_panel, use_contact_key

PHONE = "3001234567"


@pytest.fixture(autouse=True)
def _contact_key(settings):
    yield from use_contact_key(settings)


@pytest.fixture
def places(db):
    return make_colombia()


def run(*args: str) -> str:
    """The command's output, in English (the site's default language is Spanish)."""
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def raw_contact_column(respondent: Respondent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_encrypted FROM panels_respondent WHERE id = %s", [respondent.pk]
        )
        return cursor.fetchone()[0]


# --- create_panel ---------------------------------------------------------------------------


def test_create_panel_creates_a_panel_on_the_default_questionnaire(places):
    output = run(
        "create_panel",
        "popayan",
        "--territory",
        "divipola:19001",
        "--name",
        "Panel Popayán",
        "--local-provider",
        "la Guardia Indígena",
    )
    panel = Panel.objects.get(code="popayan")
    assert panel.territory == places.popayan
    assert (panel.questionnaire.code, panel.questionnaire.version) == ("confianza", 1)
    assert (panel.name, panel.local_provider_name) == ("Panel Popayán", "la Guardia Indígena")
    assert "popayan" in output
    assert (
        AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="panels.panel").count()
        == 1
    )


def test_create_panel_a_second_time_changes_nothing(places):
    run("create_panel", "popayan", "--territory", "divipola:19001", "--name", "Primero")
    output = run("create_panel", "popayan", "--territory", "divipola:19001", "--name", "Otro")
    assert "already exists" in output
    assert Panel.objects.get().name == "Primero"
    assert Questionnaire.objects.count() == 1


def test_create_panel_refuses_a_code_taken_in_another_territory(places):
    run("create_panel", "popayan", "--territory", "divipola:19001")
    with pytest.raises(CommandError, match="already exists for Popayán"):
        run("create_panel", "popayan", "--territory", "divipola:52001")


@pytest.mark.parametrize(
    ("territory", "questionnaire", "message"),
    [
        ("divipola:99999", "default", "No territory has the divipola code “99999”"),
        ("19001", "default", "SCHEME:CODE"),
        ("dane:19001", "default", "Unknown code scheme “dane”"),
        ("divipola:19001", "nope", "There is no questionnaire “nope”"),
        ("divipola:19001", "confianza:7", "There is no questionnaire “confianza:7”"),
    ],
)
def test_create_panel_explains_what_it_cannot_find(places, territory, questionnaire, message):
    with pytest.raises(CommandError, match=message):
        run("create_panel", "popayan", "--territory", territory, "--questionnaire", questionnaire)
    assert not Panel.objects.exists()


def test_create_panel_asks_a_named_questionnaire_version(places):
    run("create_panel", "popayan", "--territory", "divipola:19001")
    run("create_panel", "pasto", "--territory", "divipola:52001", "--questionnaire", "confianza:1")
    assert (
        Panel.objects.get(code="pasto").questionnaire
        == Panel.objects.get(code="popayan").questionnaire
    )


# --- import_roster --------------------------------------------------------------------------


@pytest.fixture
def panel(places):
    return make_default_panel(places.popayan, local_provider_name="la Guardia Indígena")


ROSTER = (
    "respondent_code,sex,age_band,role,area,name,phone,email\n"
    f"POP-001,female,30_44,jac,rural,María Pérez,{PHONE},maria@example.org\n"
    "POP-002,male,60_plus,indigenous,rural,Juan Ul,3109876543,\n"
    "POP-003,other,18_29,youth,urban,,,\n"
)


def test_a_roster_is_imported_with_contact_data_encrypted_at_rest(panel, tmp_path):
    # With a byte-order mark, as Excel writes "CSV UTF-8".
    output = run(
        "import_roster",
        str(write(tmp_path / "roster.csv", ROSTER, "utf-8-sig")),
        "--panel",
        "popayan",
    )
    assert "created 3" in output
    maria = Respondent.objects.get(code="POP-001")
    assert (maria.sex, maria.age_band, maria.role, maria.area) == (
        "female",
        "30_44",
        "jac",
        "rural",
    )
    stored = raw_contact_column(maria)
    assert stored
    assert PHONE not in stored
    assert "María" not in stored
    assert maria.contact == {"name": "María Pérez", "phone": PHONE, "email": "maria@example.org"}
    assert Respondent.objects.get(code="POP-003").contact == {}
    assert PHONE not in output
    assert "María" not in output


def test_the_import_is_in_the_audit_log_without_contact_data(panel, tmp_path):
    run("import_roster", str(write(tmp_path / "roster.csv", ROSTER)), "--panel", "popayan")
    entry = AuditEntry.objects.get(action=AuditAction.IMPORT)
    assert entry.object_type == "panels.panel"
    assert entry.changes["created"] == 3
    assert PHONE not in str(entry.changes)


def test_a_latin_1_semicolon_roster_with_spanish_headers_and_values_is_read(panel, tmp_path):
    text = (
        "Código;Sexo;Edad;Rol;Zona;Nombre;Teléfono;Correo;Dirección\n"
        "POP-001;Mujer;34;Junta de Acción Comunal;Rural;José Muñoz;3001112233;;Vereda El Tambo\n"
        "POP-002;masculino;61;Cabildo indígena;urbano;;;;\n"
        "POP-003;F;18-29;Consejo comunitario;Cabecera;;;;\n"
    )
    run("import_roster", str(write(tmp_path / "lista.csv", text, "latin-1")), "--panel", "popayan")
    rows = {r.code: (r.sex, r.age_band, r.role, r.area) for r in Respondent.objects.all()}
    assert rows == {
        "POP-001": ("female", "30_44", "jac", "rural"),
        "POP-002": ("male", "60_plus", "indigenous", "urban"),
        "POP-003": ("female", "18_29", "afro", "urban"),
    }
    assert Respondent.objects.get(code="POP-001").contact == {
        "name": "José Muñoz",
        "phone": "3001112233",
        "address": "Vereda El Tambo",
    }


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_written(panel, tmp_path):
    text = (
        "respondent_code,sex,age_band,role,area,replaces,from_wave,phone,email\n"
        "POP-001,female,30_44,jac,rural,,,3001112233,not-an-address\n"
        "POP-002,mujerr,30_44,jac,selva,,,,\n"
        "POP-001,male,12,jac,rural,,,,\n"
        "POP 004,male,30_44,jac,rural,POP-999,2024-13,,\n"
    )
    with pytest.raises(CommandError) as raised:
        run("import_roster", str(write(tmp_path / "roster.csv", text)), "--panel", "popayan")
    message = str(raised.value)
    assert "nothing was imported" in message
    for expected in (
        "row 2, column “email”: is not an e-mail address",
        "row 3, column “sex”: “mujerr” is not a known value",
        "row 3, column “area”: “selva” is not a known value",
        "row 4, column “respondent_code”: “POP-001” is already in row 2",
        "row 4, column “age_band”: 12 is not an adult age",
        "row 5, column “respondent_code”: “POP 004” is not a usable code",
        "row 5, column “from_wave”: “2024-13” is not a month written YYYY-MM",
        "row 5, column “replaces”: “POP-999” is not a respondent of panel popayan",
    ):
        assert expected in message
    assert "not-an-address" not in message  # contact data is never echoed
    assert "3001112233" not in message
    assert not Respondent.objects.exists()


def test_a_second_import_updates_and_counts_what_changed(panel, tmp_path):
    run("import_roster", str(write(tmp_path / "roster.csv", ROSTER)), "--panel", "popayan")
    changed = ROSTER.replace("POP-002,male,60_plus", "POP-002,male,45_59").replace(
        PHONE, "3007654321"
    )
    output = run(
        "import_roster", str(write(tmp_path / "roster.csv", changed)), "--panel", "popayan"
    )
    assert "created 0, updated 2, unchanged 1" in output
    assert Respondent.objects.get(code="POP-002").age_band == "45_59"
    assert Respondent.objects.get(code="POP-001").contact["phone"] == "3007654321"
    again = run("import_roster", str(write(tmp_path / "roster.csv", changed)), "--panel", "popayan")
    assert "created 0, updated 0, unchanged 3" in again


def test_a_replacement_is_recorded(panel, tmp_path):
    run("import_roster", str(write(tmp_path / "roster.csv", ROSTER)), "--panel", "popayan")
    text = "respondent_code;sexo;rol;reemplaza;desde\nPOP-004;mujer;JAC;POP-002;2024-05\n"
    output = run("import_roster", str(write(tmp_path / "cambio.csv", text)), "--panel", "popayan")
    assert "Replacements recorded: 1." in output
    new = Respondent.objects.get(code="POP-004")
    old = Respondent.objects.get(code="POP-002")
    assert new.replaces == old
    assert new.from_period == datetime.date(2024, 5, 1)
    assert not old.is_active
    assert old.until_period == datetime.date(2024, 4, 1)
    # The same file again records nothing new.
    again = run("import_roster", str(write(tmp_path / "cambio.csv", text)), "--panel", "popayan")
    assert "unchanged 1" in again
    assert "Replacements recorded" not in again


def test_a_respondent_cannot_be_replaced_twice(panel, tmp_path):
    add_respondent(panel, "POP-001")
    text = "respondent_code,replaces,from_wave\nPOP-002,POP-001,2024-05\nPOP-003,POP-001,2024-05\n"
    with pytest.raises(
        CommandError, match="row 3, column “replaces”: “POP-001” is already replaced in row 2"
    ):
        run("import_roster", str(write(tmp_path / "roster.csv", text)), "--panel", "popayan")


def test_import_roster_names_an_unknown_panel(places, tmp_path):
    with pytest.raises(CommandError, match="no panel “nope”"):
        run("import_roster", str(write(tmp_path / "roster.csv", ROSTER)), "--panel", "nope")


# --- XLSForm commands -----------------------------------------------------------------------


def test_export_xlsform_writes_a_form_pyxform_converts(places, tmp_path):
    out = tmp_path / "confianza.xlsx"
    output = run("export_xlsform", str(out), "--questionnaire", "default")
    assert "confianza_v1" in output
    assert "/data/B18" in convert(out.read_bytes()).xform


def test_export_xlsform_for_a_panel_says_which_items_it_left_out(panel, tmp_path):
    panel.local_provider_name = ""
    panel.save()
    add_respondent(panel, "POP-001")
    out = tmp_path / "popayan.xlsx"
    output = run("export_xlsform", str(out), "--panel", "popayan")
    assert "Left out LOCALPROV" in output
    assert "POP-001" in convert(out.read_bytes()).xform


def test_export_xlsform_needs_a_questionnaire_or_a_panel(places, tmp_path):
    with pytest.raises(CommandError, match="--questionnaire"):
        run("export_xlsform", str(tmp_path / "x.xlsx"))


def test_import_xlsform_reads_an_exported_form_as_a_new_version(places, tmp_path):
    out = tmp_path / "confianza_v1.xlsx"
    run("export_xlsform", str(out), "--questionnaire", "default")
    output = run("import_xlsform", str(out))
    assert "confianza version 2 with 17 items" in output


def test_import_xlsform_refuses_a_file_that_is_not_a_form(places, tmp_path):
    with pytest.raises(CommandError, match="nothing was imported"):
        run("import_xlsform", str(write(tmp_path / "form.xlsx", "not a workbook")))
    assert not Questionnaire.objects.exists()


def test_a_panel_code_cannot_shadow_a_page_of_the_site(db):
    import pytest as _pytest
    from django.core.management import CommandError, call_command

    from tests.factories import make_colombia

    make_colombia()
    with _pytest.raises(CommandError, match="page of the site"):
        call_command("create_panel", "map", "--territory", "divipola:19001")
