"""The access table: for every page and API path, what each persona gets.

Read with ``tests/personas.py`` (who the personas are) and ``tests/test_access_table.py``
(how the table is checked). A row maps "METHOD variant" to one expected answer per
persona, in the order of PERSONAS:

    anonymous, nobody, admin, coord_cauca, coord_narino, analyst, enumerator, police,
    prosecutor, leader

The variant names the object the URL is filled with: ``cauca`` (Popayán's panel, process,
session…, or Cauca's people's own token, notification and job), ``narino`` (the same in
Pasto, or belonging to Nariño's coordinator), ``published`` and ``draft`` (interventions of
the evidence registry); ``cauca_published`` is a published dialogue process in Popayán.
Routes without parameters have no variant ("GET").

An answer is a status code, LOGIN (302 to the site's login page), ADMIN_LOGIN (302 to
the admin's), or REDIRECT (302 anywhere else: the action was done, or the page moved).
An object outside a persona's territories answers 404, never 403; 403 is for people who
see an object but may not do what they asked.
"""

from __future__ import annotations

from tests.personas import PERSONAS

Expected = int | str
Row = dict[str, tuple[Expected, ...]]

LOGIN = "login"
ADMIN_LOGIN = "admin login"
REDIRECT = 302

# The explorer's selection for the indicator exports: homicides of 2023 in a department.
EXPLORER_QUERY = "indicator=homicide_rate&parent={parent}&type=month&from=2023-01&to=2023-12"

# Which object of a variant fills a parameter, by the path up to and including it.
PARAMETERS: dict[str, str] = {
    # core, accounts, territories, jobs
    "notifications/{pk}": "notification",
    "accounts/me/tokens/{token_id}": "token",
    "accounts/organisations/{pk}": "organisation",
    "territories/{pk}": "territory",
    # reports: a territory's briefs, of the month of its panel's open wave
    "reports/briefs/{pk}": "territory",
    "reports/briefs/{pk}/{period}": "period",
    "jobs/{job_id}": "job",
    # evidence registry and curation
    "evidence/{pk}": "intervention",
    "evidence/manage/{pk}": "intervention",
    "evidence/manage/{pk}/curation/{action}": "action",
    "evidence/manage/{pk}/evaluations/{evaluation_pk}": "evaluation",
    "evidence/manage/{pk}/external-ratings/{rating_pk}": "external_rating",
    "evidence/manage/{pk}/ratings/{rating_pk}": "rating",
    # panels
    "panels/territory/{pk}": "territory",
    "panels/{code}": "panel",
    "panels/{code}/export/{kind}": "export_kind",
    "panels/collect/{code}": "panel",
    "panels/collect/{code}/waves/{period}": "period",
    "panels/collect/{code}/imports/{job_id}": "job",
    "panels/collect/{panel_code}": "panel",
    "panels/collect/{panel_code}/openrosa/forms/{form_id}": "form_id",
    "panels/roster/{code}": "panel",
    "panels/roster/{code}/respondents/{pk}": "respondent",
    # indicators: a row of the DHIS2 mapping table (national, one per variant)
    "indicators/manage/dhis2/{pk}": "dhis2_mapping",
    "panels/questionnaires/{pk}": "questionnaire",
    # dialogues
    "dialogues/territory/{pk}": "territory",
    "dialogues/organisation/{pk}": "organisation",
    "dialogues/process/{pk}": "process",
    "dialogues/process/{pk}/export/{what}": "export_what",
    "dialogues/concern/{pk}": "concern",
    "dialogues/plan/{pk}": "plan",
    "dialogues/uptake/{pk}": "uptake",
    "dialogues/session/{pk}": "session",
    "dialogues/participation/{pk}": "participation",
    "dialogues/attachment/{pk}": "attachment",
    "dialogues/agenda/{pk}": "agenda_item",
    "dialogues/agenda/{pk}/{decision}": "decision",
    "dialogues/commitment/{pk}": "commitment",
    "dialogues/evidence/{pk}": "evidence",
    # network
    "network/events/{pk}": "event",
    "network/specialists/{pk}": "specialist",
    "network/organisations/{pk}": "network_organisation",
    "network/practices/{pk}": "practice",
    # API
    # studies
    "studies/{pk}": "study",
    "studies/code/{pk}": "study_code",
    "studies/document/{pk}": "study_document",
    "studies/segment/{pk}": "study_segment",
    "studies/finding/{pk}": "finding",
    "api/v1/studies/{study_id}": "study",
    "api/v1/territories/{territory_id}": "territory",
    "api/v1/reports/briefs/{territory_id}": "territory",
    "api/v1/reports/briefs/{territory_id}/{period}": "period",
    "api/v1/interventions/{intervention_id}": "intervention",
    "api/v1/indicators/{code}": "indicator",
    "api/v1/panels/{code}": "panel",
    "api/v1/dialogues/processes/{process_id}": "process",
    "api/v1/dialogues/sessions/{session_id}": "session",
    "api/v1/dialogues/commitments/{commitment_id}": "commitment",
    "api/v1/network/events/{event_id}": "event",
    "api/v1/network/specialists/{specialist_id}": "specialist",
    "api/v1/network/practices/{practice_id}": "practice",
}

# Parameters of a query string (written ``?name={name}`` in EXAMPLES), by name.
QUERY_PARAMETERS: dict[str, str] = {"parent": "department", "territory": "territory_code"}

# A concrete path for routes written as regular expressions, and for pages that answer
# something worth checking only with a query.
EXAMPLES: dict[str, str] = {
    "evidence:export": "evidence/export.csv",
    "api-v1:not-found": "api/v1/no-such-path",
    "reports:overview_export": "reports/overview/export.csv",
    "admin:app_list": "admin/accounts/",
    "admin:admin/(?P<url>.*)$": "admin/no-such-page/",
    "indicators:export_csv": "indicators/export.csv?" + EXPLORER_QUERY,
    "indicators:export_xlsx": "indicators/export.xlsx?" + EXPLORER_QUERY,
    "indicators:export_dhis2": "indicators/export.dhis2.json?org_unit_scheme=divipola"
    "&source=police&" + EXPLORER_QUERY,
    "indicators:export_dhis2_xml": "indicators/export.dhis2.xml?org_unit_scheme=divipola"
    "&source=police&" + EXPLORER_QUERY,
    "indicators:export_dhis2_csv": "indicators/export.dhis2.csv?org_unit_scheme=divipola"
    "&source=police&" + EXPLORER_QUERY,
    "indicators:dhis2_check": "indicators/dhis2/?" + EXPLORER_QUERY,
    "panels:map_data": "panels/map/data.geojson?item=B18&period=2024-02",
    # Definitions are national: one element and indicator (with values) for every variant.
    "indicators:manage:element_edit": "indicators/manage/elements/homicides/",
    "indicators:manage:element_delete": "indicators/manage/elements/homicides/delete/",
    "indicators:manage:indicator_edit": "indicators/manage/indicators/homicide_rate/",
    "indicators:manage:indicator_delete": "indicators/manage/indicators/homicide_rate/delete/",
    "indicators:manage:dhis2_create": "indicators/manage/dhis2/new/org_unit/",
    "/api/v1/indicators/{code}/values": "api/v1/indicators/{code}/values?territory={territory}"
    "&period=2023",
}

# Routes mounted only when DEBUG is on at start-up: none since uploads are no longer served
# by URL in development (issue 11).
DEBUG_ONLY: frozenset[str] = frozenset()


def row(default: Expected, **answers: Expected) -> tuple[Expected, ...]:
    """One answer per persona: ``default`` for everyone not named."""
    unknown = set(answers) - set(PERSONAS)
    if unknown:
        raise ValueError(f"not personas: {sorted(unknown)}")
    return tuple(answers.get(persona, default) for persona in PERSONAS)


# --- answers shared by many rows --------------------------------------------------------------

PUBLIC = row(200)
SIGNED_IN = row(200, anonymous=LOGIN)
ADMIN_ONLY = row(404, anonymous=LOGIN, admin=200)
# Evidence curation and crime-data imports: administrators, coordinators, analysts.
EDITORS = row(404, anonymous=LOGIN, admin=200, coord_cauca=200, coord_narino=200, analyst=200)
EDITORS_DONE = row(
    404,
    anonymous=LOGIN,
    admin=REDIRECT,
    coord_cauca=REDIRECT,
    coord_narino=REDIRECT,
    analyst=REDIRECT,
)
# Data elements and indicators: editors read them; administrators and coordinators change
# them (analysts 403: they see the list). An empty form comes back with its errors (400).
DEFINERS = row(404, anonymous=LOGIN, admin=200, coord_cauca=200, coord_narino=200, analyst=403)
DEFINERS_INVALID = row(
    404, anonymous=LOGIN, admin=400, coord_cauca=400, coord_narino=400, analyst=403
)
# Deleting homicides (it has values) or homicide_rate (a standard indicator) is refused:
# the page comes back saying why (409).
DEFINERS_REFUSED = row(
    404, anonymous=LOGIN, admin=409, coord_cauca=409, coord_narino=409, analyst=403
)
# Reviewing and publishing evidence: not analysts.
REVIEWERS_DONE = row(
    404, anonymous=LOGIN, admin=REDIRECT, coord_cauca=REDIRECT, coord_narino=REDIRECT, analyst=403
)

# Something that belongs to one person (token, notification, job): theirs and the superuser's.
OWNED = {
    "cauca": row(404, anonymous=LOGIN, admin=200, coord_cauca=200),
    "narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
}

# An unpublished dialogue process: everyone with a role in its territory reads it; nobody
# else learns it exists (anonymous visitors included: 404, not the login page). A published
# one is read by everyone.
READ = {
    "GET cauca": row(
        404,
        admin=200,
        coord_cauca=200,
        analyst=200,
        enumerator=200,
        police=200,
        prosecutor=200,
        leader=200,
    ),
    "GET narino": row(404, admin=200, coord_narino=200),
    "GET cauca_published": PUBLIC,
}
# Running a process: its territory's coordinators; others there may look but not act (403).
# Strangers get 404 even when the process is published and they can read it: Nariño's
# coordinator on Popayán's edit pages had 403 before issue 11, item (a).
RUNS_IN_CAUCA = row(403, anonymous=LOGIN, nobody=404, coord_narino=404, admin=200, coord_cauca=200)
RUN = {
    "GET cauca": RUNS_IN_CAUCA,
    "GET narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
    "GET cauca_published": RUNS_IN_CAUCA,
}
DONE_IN_CAUCA = row(
    403, anonymous=LOGIN, nobody=404, coord_narino=404, admin=REDIRECT, coord_cauca=REDIRECT
)
RUN_DONE = {
    "POST cauca": DONE_IN_CAUCA,
    "POST narino": row(404, anonymous=LOGIN, admin=REDIRECT, coord_narino=REDIRECT),
    "POST cauca_published": DONE_IN_CAUCA,
}

# An empty form comes back with its errors (400) to those who may act.
CANCEL_IN_CAUCA = row(
    403, anonymous=LOGIN, nobody=404, coord_narino=404, admin=400, coord_cauca=400
)
UPDATE_IN_CAUCA = row(403, anonymous=LOGIN, nobody=404, coord_narino=404, police=400)
VERIFY_IN_CAUCA = row(403, anonymous=LOGIN, nobody=404, coord_narino=404)

# Panels. Collecting (the web form, uploads, waves, the roster's codes): coordinators and
# enumerators of the territory. Results: every role but the enumerator's. Contact data and
# respondent-level exports: coordinators.
COLLECT = {
    "GET cauca": row(404, anonymous=LOGIN, admin=200, coord_cauca=200, enumerator=200),
    "GET narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
}
COLLECT_DONE = {
    "POST cauca": row(
        404, anonymous=LOGIN, admin=REDIRECT, coord_cauca=REDIRECT, enumerator=REDIRECT
    ),
    "POST narino": row(404, anonymous=LOGIN, admin=REDIRECT, coord_narino=REDIRECT),
}
RESULTS = {
    "GET cauca": row(200, anonymous=LOGIN, nobody=404, coord_narino=404, enumerator=404),
    "GET narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
}
COORDINATORS = {
    "GET cauca": row(404, anonymous=LOGIN, admin=200, coord_cauca=200),
    "GET narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
}

PUBLIC_IN_BOTH = {"GET cauca": PUBLIC, "GET narino": PUBLIC}

# Studies (issue 16). A study is seen by its team and its territory's coordinators (the
# administrator included); documents, codes, segments and findings by its team only: the
# administrator, who is not on either team, is told no (403); strangers get 404.
STUDY_SEEN = {
    "GET cauca": row(404, anonymous=LOGIN, admin=200, coord_cauca=200, analyst=200),
    "GET narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
}
STUDY_MANAGED = {
    "GET cauca": row(404, anonymous=LOGIN, admin=200, coord_cauca=200, analyst=403),
    "GET narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
}
STUDY_TEAM = {
    "GET cauca": row(404, anonymous=LOGIN, admin=403, coord_cauca=200, analyst=200),
    "GET narino": row(404, anonymous=LOGIN, admin=403, coord_narino=200),
}
# Originals, de-identification, the codebook's changes: the study's coordinators.
STUDY_COORDINATORS = {
    "GET cauca": row(404, anonymous=LOGIN, admin=403, coord_cauca=200, analyst=403),
    "GET narino": row(404, anonymous=LOGIN, admin=403, coord_narino=200),
}
STUDY_TEAM_DONE = {
    "POST cauca": row(404, anonymous=LOGIN, admin=403, coord_cauca=REDIRECT, analyst=REDIRECT),
    "POST narino": row(404, anonymous=LOGIN, admin=403, coord_narino=REDIRECT),
}
STUDY_API_TEAM = {
    "GET cauca": row(404, anonymous=401, admin=403, coord_cauca=200, analyst=200),
    "GET narino": row(404, anonymous=401, admin=403, coord_narino=200),
}

# --- the site ---------------------------------------------------------------------------------

PAGES: dict[str, Row] = {
    # core
    "core:home": {"GET": PUBLIC},
    "core:healthz": {"GET": PUBLIC},
    "core:setup": {"GET": row(404, admin=200)},
    "core:notifications": {"GET": SIGNED_IN},
    "core:notification_read": {
        "POST cauca": row(404, anonymous=LOGIN, coord_cauca=REDIRECT),
        "POST narino": row(404, anonymous=LOGIN, coord_narino=REDIRECT),
    },
    "set_language": {"POST": row(REDIRECT)},
    # studies
    "studies:index": {"GET": SIGNED_IN},
    "studies:create": {
        "GET": row(404, anonymous=LOGIN, admin=200, coord_cauca=200, coord_narino=200)
    },
    "studies:study": STUDY_SEEN,
    "studies:edit": STUDY_MANAGED,
    "studies:team": STUDY_MANAGED,
    "studies:codebook": STUDY_TEAM,
    "studies:codebook_import": {  # an empty upload comes back with its errors
        "POST cauca": row(404, anonymous=LOGIN, admin=403, coord_cauca=400, analyst=403),
        "POST narino": row(404, anonymous=LOGIN, admin=403, coord_narino=400),
    },
    "studies:codebook_export": STUDY_TEAM,
    "studies:project_export": STUDY_TEAM,
    "studies:segments_csv": STUDY_TEAM,
    "studies:segments_xlsx": STUDY_TEAM,
    "studies:document_upload": STUDY_TEAM,
    "studies:analysis": STUDY_TEAM,
    "studies:finding_create": STUDY_TEAM,
    "studies:code_edit": STUDY_COORDINATORS,
    "studies:document": STUDY_TEAM,
    "studies:deidentify": STUDY_COORDINATORS,  # its uploader, a coordinator here
    "studies:original": STUDY_COORDINATORS,
    "studies:segment_create": STUDY_TEAM_DONE,  # an empty selection: back with a message
    "studies:segment_delete": STUDY_TEAM_DONE,  # Andrea coded it; Camila coordinates
    "studies:finding_edit": STUDY_TEAM,
    # accounts
    "accounts:login": {"GET": row(REDIRECT, anonymous=200)},
    "accounts:logout": {"GET": row(405), "POST": row(REDIRECT)},
    "accounts:password_change": {"GET": SIGNED_IN},
    "accounts:profile": {"GET": SIGNED_IN},
    "accounts:notification_settings": {"POST": row(REDIRECT, anonymous=LOGIN)},
    "accounts:token_create": {"POST": row(REDIRECT, anonymous=LOGIN)},
    "accounts:token_revoke": {
        "POST cauca": row(404, anonymous=LOGIN, coord_cauca=REDIRECT),
        "POST narino": row(404, anonymous=LOGIN, coord_narino=REDIRECT),
    },
    "accounts:organisation_list": {"GET": SIGNED_IN},
    # Popayán's police (seen by everyone working in Cauca) and Pasto's police.
    "accounts:organisation_detail": {
        "GET cauca": row(200, anonymous=LOGIN, nobody=404, coord_narino=404),
        "GET narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
    },
    "accounts:audit_log": {"GET": ADMIN_ONLY},
    # territories: public facts
    "territories:search": {"GET": PUBLIC},
    "territories:detail": PUBLIC_IN_BOTH,
    "territories:boundary": PUBLIC_IN_BOTH,
    "territories:context": PUBLIC_IN_BOTH,  # the country's outline and regions: public facts
    "territories:world": {"GET": PUBLIC},  # Natural Earth's countries
    "territories:import": {"GET": ADMIN_ONLY},
    # crime indicators: official statistics, public; imports for editors
    "indicators:explorer": {"GET": row(REDIRECT)},  # to the default selection
    "indicators:export_csv": PUBLIC_IN_BOTH,
    "indicators:export_xlsx": PUBLIC_IN_BOTH,
    "indicators:export_dhis2": PUBLIC_IN_BOTH,
    "indicators:export_dhis2_xml": PUBLIC_IN_BOTH,
    "indicators:export_dhis2_csv": PUBLIC_IN_BOTH,
    "indicators:dhis2_check": PUBLIC_IN_BOTH,
    "indicators:import:upload": {"GET": EDITORS},
    "indicators:import:confirm": {"POST": EDITORS_DONE},
    "indicators:manage:index": {"GET": EDITORS},
    "indicators:manage:element_create": {"GET": DEFINERS, "POST": DEFINERS_INVALID},
    "indicators:manage:element_edit": {"GET": DEFINERS, "POST": DEFINERS_INVALID},
    "indicators:manage:element_delete": {
        "GET": row(404, anonymous=LOGIN, admin=405, coord_cauca=405, coord_narino=405, analyst=403),
        "POST": DEFINERS_REFUSED,
    },
    "indicators:manage:indicator_create": {"GET": DEFINERS, "POST": DEFINERS_INVALID},
    "indicators:manage:indicator_edit": {"GET": DEFINERS, "POST": DEFINERS_INVALID},
    "indicators:manage:indicator_delete": {"POST": DEFINERS_REFUSED},
    # the DHIS2 mapping table: national, like the definitions
    "indicators:manage:dhis2_index": {"GET": EDITORS},
    "indicators:manage:dhis2_create": {"GET": DEFINERS, "POST": DEFINERS_INVALID},
    "indicators:manage:dhis2_edit": {"GET cauca": DEFINERS, "POST cauca": DEFINERS_INVALID},
    "indicators:manage:dhis2_delete": {
        "POST cauca": row(
            404,
            anonymous=LOGIN,
            admin=REDIRECT,
            coord_cauca=REDIRECT,
            coord_narino=REDIRECT,
            analyst=403,
        )
    },
    # evidence registry: published interventions are public, drafts do not exist for them
    "evidence:dashboard": {"GET": PUBLIC},
    "evidence:detail": {"GET published": PUBLIC, "GET draft": row(404)},
    "evidence:gap_map": {"GET": PUBLIC},
    "evidence:export": {"GET": PUBLIC},
    # evidence curation: not territorial (interventions are national or multi-country)
    "evidence:curation:list": {"GET": EDITORS},
    "evidence:curation:create": {"GET": EDITORS},
    "evidence:curation:import": {"GET": EDITORS},
    "evidence:curation:import_confirm": {"POST": EDITORS_DONE},
    "evidence:curation:territory_search": {"GET": EDITORS},
    "evidence:curation:detail": {"GET published": EDITORS, "GET draft": EDITORS},
    "evidence:curation:edit": {"GET published": EDITORS, "GET draft": EDITORS},
    # unpublish (published) needs a reviewer; submit (draft) any editor
    "evidence:curation:transition": {"POST published": REVIEWERS_DONE, "POST draft": EDITORS_DONE},
    "evidence:curation:evaluation_create": {"GET published": EDITORS, "GET draft": EDITORS},
    "evidence:curation:evaluation_edit": {"GET published": EDITORS, "GET draft": EDITORS},
    "evidence:curation:evaluation_delete": {
        "POST published": EDITORS_DONE,
        "POST draft": EDITORS_DONE,
    },
    # an empty form: editors get it back with its errors
    "evidence:curation:external_rating_create": {
        "POST published": row(
            404, anonymous=LOGIN, admin=400, coord_cauca=400, coord_narino=400, analyst=400
        ),
    },
    "evidence:curation:external_rating_delete": {
        "POST published": EDITORS_DONE,
        "POST draft": EDITORS_DONE,
    },
    "evidence:curation:rating_override": {
        "POST published": REVIEWERS_DONE,
        "POST draft": REVIEWERS_DONE,
    },
    # panels: collecting
    "panels:collection:list": {"GET": SIGNED_IN},
    "panels:collection:panel": COLLECT,
    "panels:collection:open_wave": COLLECT_DONE,
    # closing a wave is the coordinator's: the enumerator sees the panel but may not
    "panels:collection:close_wave": {
        "POST cauca": row(
            404, anonymous=LOGIN, admin=REDIRECT, coord_cauca=REDIRECT, enumerator=403
        ),
        "POST narino": row(404, anonymous=LOGIN, admin=REDIRECT, coord_narino=REDIRECT),
    },
    "panels:collection:form": COLLECT,
    "panels:collection:xlsform": COLLECT,
    # A collector's own ODK Collect password, shown once after the POST that makes it.
    "panels:collection:collect_password": {
        **COLLECT,
        "POST cauca": row(404, anonymous=LOGIN, admin=200, coord_cauca=200, enumerator=200),
        "POST narino": row(404, anonymous=LOGIN, admin=200, coord_narino=200),
    },
    "panels:collection:upload": COLLECT,
    "panels:collection:confirm": COLLECT_DONE,
    # the error file of an import: the person who ran it (the coordinator) only
    "panels:collection:rejected_rows": COORDINATORS,
    # a form's mapping (issue 14): the territory's coordinators
    "panels:collection:mapping": COORDINATORS,
    # OpenRosa authenticates every request itself (Basic or Digest, as ODK Collect does);
    # a browser session is not enough, whoever it belongs to.
    "panels:collection:formlist": {"GET cauca": row(401), "GET narino": row(401)},
    "panels:collection:xform": {"GET cauca": row(401), "GET narino": row(401)},
    "panels:collection:submission": {"POST cauca": row(401), "POST narino": row(401)},
    # panels: XLSForms made elsewhere and panels made of them (issue 14): coordinators of
    # any territory; questionnaires belong to none, so others are told no (403)
    "panels:questionnaires:import": {
        "GET": row(403, anonymous=LOGIN, admin=200, coord_cauca=200, coord_narino=200)
    },
    "panels:questionnaires:detail": {
        "GET cauca": row(403, anonymous=LOGIN, admin=200, coord_cauca=200, coord_narino=200)
    },
    # an empty form is refused on the page
    "panels:questionnaires:create_panel": {
        "POST cauca": row(403, anonymous=LOGIN, admin=400, coord_cauca=400, coord_narino=400)
    },
    # panels: the roster
    "panels:roster:roster": COLLECT,
    "panels:roster:entities": COLLECT,
    "panels:roster:contact": COORDINATORS,
    # panels: results
    "panels:index": {"GET": SIGNED_IN},
    "panels:map": {"GET": row(200, anonymous=LOGIN, nobody=404, enumerator=404)},
    # B18 is trust in the police: not an item of the prosecutor's (issue 11, item (b))
    "panels:map_data": {
        "GET": row(200, anonymous=LOGIN, nobody=400, enumerator=400, prosecutor=400)
    },
    "panels:provider": {"GET": row(404, anonymous=LOGIN, police=200, prosecutor=200)},
    "panels:territory_slot": PUBLIC_IN_BOTH,  # what the public may see, per persona
    "panels:dashboard": RESULTS,
    "panels:export": COORDINATORS,  # long.csv: one row per respondent and answer
    # jobs
    "jobs:list": {"GET": SIGNED_IN},
    "jobs:detail": {"GET cauca": OWNED["cauca"], "GET narino": OWNED["narino"]},
    # dialogues: public pages of a territory (published processes only)
    "dialogues:index": {"GET": PUBLIC},
    "dialogues:territory": PUBLIC_IN_BOTH,
    "dialogues:calendar": PUBLIC_IN_BOTH,
    "dialogues:session_list": PUBLIC_IN_BOTH,
    "dialogues:board": PUBLIC_IN_BOTH,
    "dialogues:territory_slot": PUBLIC_IN_BOTH,
    # the territory is public, so a role missing there is a 403, not a secret
    "dialogues:process_create": {
        "GET cauca": row(403, anonymous=LOGIN, admin=200, coord_cauca=200),
        "GET narino": row(403, anonymous=LOGIN, admin=200, coord_narino=200),
    },
    # an organisation's commitments: public once one of them is in a published process
    # (Popayán's police has one); otherwise for those who work where it has them
    "dialogues:organisation_board": {
        "GET cauca": PUBLIC,
        "GET narino": row(404, admin=200, coord_narino=200),
    },
    # dialogues: reading an unpublished process
    "dialogues:process": READ,
    "dialogues:commitment_list": READ,
    "dialogues:export_csv": READ,
    "dialogues:export_xlsx": READ,
    "dialogues:print": READ,
    "dialogues:session": READ,
    "dialogues:priorities": READ,
    "dialogues:commitment": READ,
    # Files name people (attendance sheets, photos): never public, even when the process
    # is; a session's files for its coordinators, evidence for the people of its territory.
    "dialogues:attachment": {
        "GET cauca": row(404, admin=200, coord_cauca=200),
        "GET narino": row(404, admin=200, coord_narino=200),
        "GET cauca_published": row(404, admin=200, coord_cauca=200),
    },
    "dialogues:evidence": {**READ, "GET cauca_published": READ["GET cauca"]},
    # the uptake page reads like the process; posting a step is running it
    "dialogues:uptake": {
        **READ,
        "POST cauca": row(
            403, anonymous=404, nobody=404, coord_narino=404, admin=200, coord_cauca=200
        ),
        "POST narino": row(404, admin=200, coord_narino=200),
        "POST cauca_published": row(
            403, anonymous=LOGIN, nobody=404, coord_narino=404, admin=200, coord_cauca=200
        ),
    },
    # dialogues: running a process
    "dialogues:process_edit": RUN,
    "dialogues:session_create": RUN,
    "dialogues:concern_create": RUN,
    "dialogues:plan_create": RUN,
    "dialogues:uptake_create": RUN,
    "dialogues:commitment_create": RUN,
    "dialogues:concern_edit": RUN,
    "dialogues:concern_monitor": RUN,
    "dialogues:plan_edit": RUN,
    "dialogues:session_edit": RUN,
    "dialogues:session_report": RUN,
    "dialogues:participants": RUN,  # names of participants: personal data
    "dialogues:agenda_create": RUN,
    "dialogues:agenda_edit": RUN,
    "dialogues:commitment_edit": RUN,
    "dialogues:attendance": RUN_DONE,
    "dialogues:participant_remove": RUN_DONE,
    "dialogues:scores": RUN_DONE,
    "dialogues:attachment_upload": RUN_DONE,
    "dialogues:agenda_propose": RUN_DONE,
    "dialogues:agenda_decide": RUN_DONE,
    # an empty reason: coordinators get the form back
    "dialogues:cancel": {
        "POST cauca": CANCEL_IN_CAUCA,
        "POST narino": row(404, anonymous=LOGIN, admin=400, coord_narino=400),
        "POST cauca_published": CANCEL_IN_CAUCA,
    },
    # dialogues: taking part (anyone signed in who sees the session)
    "dialogues:register": {
        "POST cauca": row(REDIRECT, anonymous=LOGIN, nobody=404, coord_narino=404),
        "POST narino": row(404, anonymous=LOGIN, admin=REDIRECT, coord_narino=REDIRECT),
        "POST cauca_published": row(REDIRECT, anonymous=LOGIN),
    },
    "dialogues:cancel_registration": {  # nobody is registered: nothing to cancel
        "POST cauca": row(404, anonymous=LOGIN),
        "POST narino": row(404, anonymous=LOGIN),
        "POST cauca_published": row(404, anonymous=LOGIN),
    },
    # no vote is open in the world's sessions; in a published one anybody may register,
    # hence vote, so strangers are told no rather than not found
    "dialogues:ballot": {
        "GET cauca": row(403, anonymous=LOGIN, nobody=404, coord_narino=404),
        "GET narino": row(404, anonymous=LOGIN, admin=403, coord_narino=403),
        "GET cauca_published": row(403, anonymous=LOGIN),
    },
    "dialogues:follow": {
        "POST cauca": row(REDIRECT, anonymous=LOGIN, nobody=404, coord_narino=404),
        "POST narino": row(404, anonymous=LOGIN, admin=REDIRECT, coord_narino=REDIRECT),
        "POST cauca_published": row(REDIRECT, anonymous=LOGIN),
    },
    # updates: the responsible organisation only (Popayán's police; the empty form comes
    # back with its errors); nobody in the world works for Pasto's police
    "dialogues:post_update": {
        "POST cauca": UPDATE_IN_CAUCA,
        "POST narino": row(404, anonymous=LOGIN, admin=403, coord_narino=403),
        "POST cauca_published": UPDATE_IN_CAUCA,
    },
    # confirming or disputing needs a completion claim, which the world's commitments lack
    "dialogues:verify": {
        "POST cauca": VERIFY_IN_CAUCA,
        "POST narino": row(404, anonymous=LOGIN, admin=403, coord_narino=403),
        "POST cauca_published": VERIFY_IN_CAUCA,
    },
    # network: public once published; a specialist only with their opt-in (404 otherwise,
    # to everybody: staff manage them in the admin)
    "network:events": {"GET": PUBLIC},
    "network:calendar_ics": {"GET": PUBLIC},
    "network:event": {"GET listed": PUBLIC, "GET unlisted": row(404)},
    "network:event_ics": {"GET listed": PUBLIC, "GET unlisted": row(404)},
    # a past event says registration is closed (409 to a POST); a coming one takes an
    # empty form back with its errors
    "network:register": {
        "GET listed": PUBLIC,
        "POST listed": row(409),
        "GET open": PUBLIC,
        "POST open": row(400),
        "GET unlisted": row(404),
    },
    "network:specialists": {"GET": PUBLIC},
    "network:specialists_csv": {"GET": PUBLIC},
    "network:specialist": {"GET listed": PUBLIC, "GET unlisted": row(404)},
    "network:organisation": {"GET listed": PUBLIC},
    "network:practices": {"GET": PUBLIC},
    "network:practice": {"GET listed": PUBLIC, "GET unlisted": row(404)},
    "network:publications": {"GET": PUBLIC},
    "network:ask": {"GET": PUBLIC},
    # a person's own directory profile: nobody in the world has one to change (404)
    "network:own_profile": {"GET": SIGNED_IN, "POST": row(404, anonymous=LOGIN)},
    # the API's own pages (its operations are in API below)
    "api-v1:openapi-json": {"GET": PUBLIC},
    "api-v1:openapi-view": {"GET": PUBLIC},
    "api-v1:api-root": {"GET": PUBLIC},
    "api-v1:not-found": {"GET": row(404)},
    # reports: briefs are public (the edition follows the reader); storing one is for the
    # territory's coordinators and analysts, told no (403) if they work there otherwise.
    # The empty form names no language: those who may store get it back (400).
    "reports:overview": {"GET": PUBLIC},
    "reports:overview_export": {"GET": PUBLIC},
    "reports:exchange": {"GET": PUBLIC},
    "reports:briefs": PUBLIC_IN_BOTH,
    "reports:brief": PUBLIC_IN_BOTH,
    "reports:brief_pdf": PUBLIC_IN_BOTH,
    "reports:generate": {
        "POST cauca": row(
            403,
            anonymous=LOGIN,
            nobody=404,
            coord_narino=404,
            admin=400,
            coord_cauca=400,
            analyst=400,
        ),
        "POST narino": row(404, anonymous=LOGIN, admin=400, coord_narino=400),
    },
}

# --- the API (session authentication), by OpenAPI path ----------------------------------------

API_RESULTS = {
    "GET cauca": row(200, anonymous=401, nobody=404, coord_narino=404, enumerator=404),
    "GET narino": row(404, anonymous=401, admin=200, coord_narino=200),
}

API: dict[str, Row] = {
    "/api/v1/territories/": {"GET": PUBLIC},
    "/api/v1/territories/{territory_id}/": PUBLIC_IN_BOTH,
    "/api/v1/territories/{territory_id}/boundary": PUBLIC_IN_BOTH,
    "/api/v1/interventions/": {"GET": PUBLIC},
    "/api/v1/interventions/{intervention_id}/": {"GET published": PUBLIC, "GET draft": row(404)},
    "/api/v1/indicators/": {"GET": PUBLIC},
    "/api/v1/indicators/{code}/values": PUBLIC_IN_BOTH,
    "/api/v1/panels/": {"GET": row(200, anonymous=401)},
    "/api/v1/panels/{code}/": API_RESULTS,
    # a provider reads only their institution's items here (issue 11, item (b)): the
    # content is checked by the panels' own tests
    "/api/v1/panels/{code}/results": API_RESULTS,
    "/api/v1/dialogues/processes/": {"GET": PUBLIC},
    "/api/v1/dialogues/processes/{process_id}/": READ,
    "/api/v1/dialogues/sessions/": {"GET": PUBLIC},
    "/api/v1/dialogues/sessions/{session_id}/": READ,
    "/api/v1/dialogues/commitments/": {"GET": PUBLIC},
    "/api/v1/dialogues/commitments/{commitment_id}/": READ,
    "/api/v1/dialogues/commitments/{commitment_id}/updates/": READ,
    "/api/v1/network/events/": {"GET": PUBLIC},
    "/api/v1/network/events/{event_id}/": {"GET listed": PUBLIC, "GET unlisted": row(404)},
    "/api/v1/network/organisations/": {"GET": PUBLIC},
    "/api/v1/network/specialists/": {"GET": PUBLIC},
    "/api/v1/network/specialists/{specialist_id}/": {
        "GET listed": PUBLIC,
        "GET unlisted": row(404),
    },
    "/api/v1/network/practices/": {"GET": PUBLIC},
    "/api/v1/network/practices/{practice_id}/": {"GET listed": PUBLIC, "GET unlisted": row(404)},
    "/api/v1/studies/": {"GET": row(200, anonymous=401)},
    "/api/v1/studies/{study_id}/": {
        "GET cauca": row(404, anonymous=401, admin=200, coord_cauca=200, analyst=200),
        "GET narino": row(404, anonymous=401, admin=200, coord_narino=200),
    },
    "/api/v1/studies/{study_id}/codes": STUDY_API_TEAM,
    "/api/v1/studies/{study_id}/segments": STUDY_API_TEAM,
    "/api/v1/studies/{study_id}/findings": STUDY_API_TEAM,
    "/api/v1/me": {"GET": row(200, anonymous=401)},
    "/api/v1/reports/briefs/{territory_id}": PUBLIC_IN_BOTH,
    "/api/v1/reports/briefs/{territory_id}/{period}": {
        **PUBLIC_IN_BOTH,
        "POST cauca": row(
            403,
            anonymous=401,
            nobody=404,
            coord_narino=404,
            admin=200,
            coord_cauca=200,
            analyst=200,
        ),
        "POST narino": row(404, anonymous=401, admin=200, coord_narino=200),
    },
    "/api/v1/reports/overview": {"GET": PUBLIC},
    "/api/v1/reports/exchange": {"GET": PUBLIC},
}

# --- the admin: one rule instead of ~150 rows -------------------------------------------------

# Django's admin lets in active staff only; nobody but the administrator is staff.
ADMIN_SPECIAL: dict[str, tuple[Expected, ...]] = {
    "admin:login": row(200, admin=REDIRECT),
    "admin:logout": row(REDIRECT, admin=405),  # logging out is a POST
    "admin:autocomplete": row(ADMIN_LOGIN, admin=403),  # without its parameters
}
# Not checked: the administrator's answer on an object page (the id may not exist) and on
# an "add" page (append-only records such as the audit log refuse additions with 403).
ANY = None


def admin_rule(name: str, has_parameters: bool) -> tuple[Expected | None, ...]:
    """What each persona gets on an admin route."""
    if name in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[name]
    unchecked = has_parameters or name.endswith("_add")
    return row(ADMIN_LOGIN, admin=ANY if unchecked else 200)
