"""Preparing a session from the data: each proposal carries its origin and its figure."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from convivencia.dialogues import agenda, priorities
from convivencia.dialogues.choices import AgendaOrigin, Priority, ProposalStatus
from convivencia.dialogues.models import AgendaItem, Concern, Participation
from convivencia.indicators import presets
from convivencia.indicators.models import DataElement, Total
from convivencia.indicators.periods import month
from convivencia.panels import collection
from convivencia.panels.choices import SubmissionSource, WaveStatus
from convivencia.panels.models import Panel, Wave
from convivencia.territories.models import Population
from tests.dialogues.builders import commitment_in, make_world, status
from tests.panels.builders import make_panel, make_wave, raw

SEPTEMBER = timezone.make_aware(datetime.datetime(2024, 9, 12, 9))


@pytest.fixture(autouse=True)
def _english():
    """Figures are checked as an English reader sees them (one test reads them in Spanish)."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    world = make_world()
    world.session.starts_at = SEPTEMBER
    world.session.ends_at = SEPTEMBER + datetime.timedelta(hours=3)
    world.session.save()
    return world


def answer(wave: Wave, trust: list[int], problems: list[str]) -> None:
    collection.accept(
        wave,
        [
            raw(f"R{number:03d}", B18=value, PROBLEMS=chosen)
            for number, (value, chosen) in enumerate(zip(trust, problems, strict=True), start=1)
        ],
        SubmissionSource.WEB,
    )
    wave.status = WaveStatus.CLOSED
    wave.save(update_fields=["status"])


def trust_falls_in_august(territory, size: int = 10):
    """6 of 10 trust the police in July (5–7 on 1–7), 3 of 10 in August; every answer drops."""
    panel = make_panel(territory, size=size)
    july = [6, 6, 6, 5, 7, 5, 4, 3, 2, 3][:size]
    august = [4, 3, 5, 3, 5, 5, 2, 1, 1, 1][:size]
    problems = ["1 2"] * 6 + ["1"] * (size - 6)
    answer(make_wave(panel, "2024-07"), july, problems[:size])
    answer(make_wave(panel, "2024-08"), august, problems[:size])
    return panel


def test_a_flagged_fall_in_trust_is_proposed_with_its_figure(world):
    trust_falls_in_august(world.places.popayan)
    added = agenda.propose(world.session, world.camila)
    panel_items = [item for item in added if item.origin == AgendaOrigin.PANEL]
    assert len(panel_items) == 1
    item = panel_items[0]
    assert item.status == ProposalStatus.PROPOSED
    assert item.evidence.startswith("Trust in National Police: 60% → 30% (Wilcoxon, corrected p")
    assert "2024-07 → 2024-08" in item.description


def test_the_figure_is_written_in_the_readers_language(world):
    trust_falls_in_august(world.places.popayan)
    with translation.override("es"):
        evidence = agenda.panel_proposals(world.places.popayan, SEPTEMBER.date())[0].evidence
    assert "60% → 30% (Wilcoxon, " in evidence
    assert "0,01" in evidence  # a decimal comma in Spanish


def test_only_waves_of_months_before_the_session_are_used(world):
    panel = trust_falls_in_august(world.places.popayan)
    # A September wave, closed later, must not change what the September session saw.
    answer(make_wave(panel, "2024-09"), [7] * 10, ["3"] * 10)
    proposal = agenda.panel_proposals(world.places.popayan, SEPTEMBER.date())[0]
    assert "2024-07 → 2024-08" in proposal.description
    assert agenda.panel_proposals(world.places.popayan, datetime.date(2024, 10, 5)) == []


def test_a_change_among_too_few_pairs_is_not_proposed(world, settings):
    settings.MIN_CELL_SIZE = 11
    trust_falls_in_august(world.places.popayan)
    assert agenda.panel_proposals(world.places.popayan, SEPTEMBER.date()) == []


def test_the_most_named_problems_are_proposed_with_their_counts(world):
    trust_falls_in_august(world.places.popayan)
    proposals = agenda.problem_proposals(world.places.popayan, SEPTEMBER.date())
    assert [p.evidence for p in proposals] == [
        "Hurto: named by 10 of 10 panel members (100%), wave 2024-08, 1 month before the session",
        "Extorsión: named by 6 of 10 panel members (60%), wave 2024-08, 1 month before the session",
    ]


def test_a_panel_figure_says_how_old_it_is_when_the_session_meets(world):
    trust_falls_in_august(world.places.popayan)
    evidence = agenda.panel_proposals(world.places.popayan, SEPTEMBER.date())[0].evidence
    assert evidence.endswith("; wave 2024-08, 1 month before the session")
    assert "older than three months" not in evidence


def test_a_figure_older_than_three_months_is_flagged_as_old(world):
    trust_falls_in_august(world.places.popayan)
    january = datetime.date(2025, 1, 20)  # no wave since August: five months old
    evidence = agenda.panel_proposals(world.places.popayan, january)[0].evidence
    assert "wave 2024-08, 5 months before the session; older than three months" in evidence
    problems = agenda.problem_proposals(world.places.popayan, january)
    assert all("older than three months" in p.evidence for p in problems)


def test_three_months_is_not_yet_old_and_the_age_counts_calendar_months():
    august = datetime.date(2024, 8, 1)
    assert agenda.wave_age("2024-08", august, datetime.date(2024, 11, 30)) == (
        "wave 2024-08, 3 months before the session"
    )
    assert "older than three months" in agenda.wave_age(
        "2024-08", august, datetime.date(2024, 12, 1)
    )
    assert agenda.months_before(august, datetime.date(2024, 8, 31)) == 0


def test_open_concerns_are_proposed_by_their_borda_count(world):
    low = Concern.objects.create(process=world.process, title="Alumbrado", priority=Priority.LOW)
    high = Concern.objects.create(process=world.process, title="Extorsión")
    settled = Concern.objects.create(process=world.process, title="Línea del cuadrante")
    commitment_in(world.process, world, concern=settled, code="verified")
    Participation.objects.create(
        session=world.session,
        user=world.luz,
        name="Luz",
        role="community_leader",
        attendance="registered",
    )
    world.session.starts_at = timezone.now() + datetime.timedelta(days=1)
    world.session.ends_at = world.session.starts_at + datetime.timedelta(hours=2)
    world.session.save()
    priorities.cast_ballot(world.session, world.luz, {low.pk: 1, high.pk: 2, settled.pk: 3})
    evidence = {p.title: p.evidence for p in agenda.concern_proposals(world.process)}
    assert list(evidence) == ["Open concern: Alumbrado", "Open concern: Extorsión"]
    assert evidence["Open concern: Alumbrado"] == ("3 Borda points from 1 ballots; priority: Low")


def homicides_in_popayan(world, per_month_2023: int, per_month_2024: int) -> None:
    presets.ensure_presets()
    element = DataElement.objects.get(code="homicides")
    for year, count in ((2023, per_month_2023), (2024, per_month_2024)):
        Population.objects.create(
            territory=world.places.popayan, year=year, value=100_000, source="DANE"
        )
        for number in range(1, 9):  # January to August
            period = month(year, number)
            Total.objects.create(
                element=element,
                territory=world.places.popayan,
                period=period.code,
                period_type="month",
                start=period.start,
                end=period.end,
                source="police",
                value=count,
            )


def test_an_indicator_change_compares_this_year_so_far_with_the_same_months_last_year(world):
    homicides_in_popayan(world, per_month_2023=2, per_month_2024=3)
    proposals = agenda.indicator_proposals(world.places.popayan, SEPTEMBER.date())
    assert [p.title for p in proposals] == ["Homicide rate per 100,000 inhabitants rose by 50%"]
    assert proposals[0].evidence == (
        "Homicide rate per 100,000 inhabitants: 16.0 (January–August 2023) → "
        "24.0 (January–August 2024); data up to 2024-08, 1 month before the session"
    )


def test_an_old_indicator_figure_is_flagged_as_old(world):
    homicides_in_popayan(world, per_month_2023=2, per_month_2024=3)
    proposals = agenda.indicator_proposals(world.places.popayan, datetime.date(2025, 2, 3))
    assert proposals[0].evidence.endswith(
        "data up to 2024-08, 6 months before the session; "
        "older than three months: look for newer figures before citing it"
    )


def test_a_small_indicator_change_or_missing_data_proposes_nothing(world):
    assert agenda.indicator_proposals(world.places.popayan, SEPTEMBER.date()) == []
    homicides_in_popayan(world, per_month_2023=20, per_month_2024=21)
    assert agenda.indicator_proposals(world.places.popayan, SEPTEMBER.date()) == []


def test_proposing_twice_adds_nothing_and_a_discarded_proposal_stays_discarded(world):
    trust_falls_in_august(world.places.popayan)
    first = agenda.propose(world.session, world.camila)
    agenda.decide(first[0], world.camila, ProposalStatus.DISCARDED)
    assert agenda.propose(world.session, world.camila) == []
    first[0].refresh_from_db()
    assert first[0].status == ProposalStatus.DISCARDED


def test_only_a_coordinator_prepares_the_agenda(world):
    with pytest.raises(PermissionDenied):
        agenda.propose(world.session, world.pablo)
    item = AgendaItem.objects.create(
        session=world.session, title="x", status=ProposalStatus.PROPOSED
    )
    with pytest.raises(PermissionDenied):
        agenda.decide(item, world.luz, ProposalStatus.ACCEPTED)


def test_the_facilitator_accepts_with_htmx_and_discards_without_javascript(world, client):
    trust_falls_in_august(world.places.popayan)
    client.force_login(world.camila)
    propose = reverse("dialogues:agenda_propose", args=[world.session.pk])
    fragment = client.post(propose, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.content.decode().count('data-testid="proposal"') == 3
    panel_item = world.session.agenda.get(origin=AgendaOrigin.PANEL)
    accepted = client.post(
        reverse("dialogues:agenda_decide", args=[panel_item.pk, "accept"]),
        headers={"HX-Request": "true"},
    )
    assert 'data-testid="agenda-items"' in accepted.content.decode()
    assert "60% → 30%" in accepted.content.decode()
    other = world.session.agenda.filter(status=ProposalStatus.PROPOSED).first()
    plain = client.post(reverse("dialogues:agenda_decide", args=[other.pk, "discard"]))
    assert plain.status_code == 302 and plain["Location"].endswith("#agenda")
    panel_item.refresh_from_db()
    other.refresh_from_db()
    assert (panel_item.status, other.status) == (ProposalStatus.ACCEPTED, ProposalStatus.DISCARDED)


def test_editing_a_proposal_accepts_it_as_edited(world, client):
    item = AgendaItem.objects.create(
        session=world.session,
        title="Propuesta",
        origin=AgendaOrigin.INDICATOR,
        evidence="16 → 24",
        status=ProposalStatus.PROPOSED,
    )
    client.force_login(world.camila)
    client.post(
        reverse("dialogues:agenda_edit", args=[item.pk]),
        {
            "title": "Homicidios: qué cambió",
            "duration_minutes": 25,
            "position": 3,
            "evidence": "16 → 24",
        },
    )
    item.refresh_from_db()
    assert (item.title, item.status, item.duration_minutes) == (
        "Homicidios: qué cambió",
        ProposalStatus.ACCEPTED,
        25,
    )


def test_the_agenda_nests_and_a_point_lasts_as_long_as_its_parts(world, client):
    opening = AgendaItem.objects.create(
        session=world.session, title="Apertura", position=1, duration_minutes=15
    )
    data = AgendaItem.objects.create(
        session=world.session, title="Los datos", position=2, duration_minutes=5
    )
    AgendaItem.objects.create(
        session=world.session, parent=data, title="Panel", position=1, duration_minutes=20
    )
    AgendaItem.objects.create(
        session=world.session, parent=data, title="Indicadores", position=2, duration_minutes=15
    )
    AgendaItem.objects.create(
        session=world.session,
        title="Propuesta",
        position=3,
        duration_minutes=30,
        status=ProposalStatus.PROPOSED,
    )
    nodes, total = agenda.tree(world.session)
    assert [(n.item.title, n.minutes) for n in nodes] == [("Apertura", 15), ("Los datos", 35)]
    assert total == 50
    assert [(n.item.title, n.depth) for n in agenda.flatten(nodes)][2:] == [
        ("Panel", 1),
        ("Indicadores", 1),
    ]
    page = client.get(reverse("dialogues:session", args=[world.session.pk])).content.decode()
    assert "Total: 50 minutes" in page
    assert "Propuesta" not in page  # proposals are the facilitator's until accepted
    assert opening.title in page


def test_an_item_cannot_be_placed_inside_its_own_sub_points(world, client):
    parent = AgendaItem.objects.create(session=world.session, title="Padre")
    child = AgendaItem.objects.create(session=world.session, title="Hijo", parent=parent)
    client.force_login(world.camila)
    response = client.post(
        reverse("dialogues:agenda_edit", args=[parent.pk]),
        {"title": "Padre", "duration_minutes": 10, "position": 1, "parent": child.pk},
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors


def test_a_commitment_answering_a_concern_keeps_it_open_until_closed(world):
    concern = Concern.objects.create(process=world.process, title="Hurto")
    assert agenda.concern_is_open(concern)
    commitment = commitment_in(world.process, world, concern=concern)
    assert agenda.concern_is_open(concern)
    commitment.status = status("verified")
    commitment.save()
    assert not agenda.concern_is_open(concern)


def test_every_panel_of_the_territory_has_its_fall_proposed(world):
    first = trust_falls_in_august(world.places.popayan)
    second = Panel.objects.create(
        code="popayan-norte", territory=world.places.popayan, questionnaire=first.questionnaire
    )
    for respondent in first.respondents.all():
        respondent.pk = None
        respondent.panel = second
        respondent.save()
    for period, trust in (
        ("2024-07", [6, 6, 6, 5, 7, 5, 4, 3, 2, 3]),
        ("2024-08", [4, 3, 5, 3, 5, 5, 2, 1, 1, 1]),
    ):
        answer(make_wave(second, period), trust, ["1"] * 10)
    proposals = agenda.panel_proposals(world.places.popayan, SEPTEMBER.date())
    assert len(proposals) == 2
    assert sorted(p.description.split(",")[0] for p in proposals) == [
        "Perception panel popayan",
        "Perception panel popayan-norte",
    ]
