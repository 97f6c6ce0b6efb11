"""The cached counts of the public pages are never stale, whatever changed the registry.

The unfiltered dashboard, the gap map and the country filter's choices are
cached under a token that database triggers replace on every change, and so are
the rendered filters, results and gap map. Each test changes the registry one way
and checks that the next page shows exactly what the same page computed without
any cache shows, to the byte.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from convivencia.accounts.choices import Role
from convivencia.core import versioning
from convivencia.evidence import caching, services
from convivencia.evidence.choices import Curation, Rating
from convivencia.evidence.models import (
    Evaluation,
    Intervention,
    InterventionTag,
    RegistryVersion,
)
from tests.evidence.builders import EFFECTIVE, GOOD, PROMISING, add_evaluation, make_intervention
from tests.factories import grant, make_organisation, make_user
from tests.pages import page_text

pytestmark = pytest.mark.django_db
DASHBOARD = "/evidence/"
GAP_MAP = "/evidence/gap-map/"


@pytest.fixture
def client() -> Client:
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def camila():
    """A coordinator: reviews, publishes and unpublishes."""
    user = make_user("camila")
    grant(user, make_organisation("Programa"), Role.COORDINATOR, [])
    return user


@pytest.fixture
def registry() -> dict[str, Intervention]:
    return {
        "cuadrantes": make_intervention(
            "Cuadrantes",
            "CO",
            focus=["policing"],
            rating_findings={"homicide": EFFECTIVE},
            start_year=2010,
        ),
        "jovenes": make_intervention(
            "Jóvenes",
            "MX",
            focus=["youth"],
            rating_findings={"gang_violence": PROMISING},
            start_year=2019,
        ),
        "reviewed": make_intervention(
            "Calles con luz",
            "BR",
            focus=["situational"],
            rating_findings={"robbery": EFFECTIVE},
            published=False,
        ),
    }


def shown(client: Client, dashboard_url: str = DASHBOARD) -> dict[str, Any]:
    """What the dashboard and the gap map show that comes from counting the registry."""
    dashboard = client.get(dashboard_url)
    gap_map = client.get(GAP_MAP)
    assert dashboard.status_code == gap_map.status_code == 200
    # What the page says is what the view computed, even when its HTML came from the cache.
    assert f'data-count="{dashboard.context["total"]}"' in page_text(dashboard)
    for row in gap_map.context["rows"]:
        for cell in row["cells"]:
            assert (
                f'data-focus="{row["focus"].value}" data-outcome="{cell["outcome"].value}"'
                f' data-count="{cell["count"]}"'
            ) in page_text(gap_map)
    charts = dashboard.context["charts"]
    return {
        "total": dashboard.context["total"],
        "robust": dashboard.context["robust"],
        "listed": [i.name for i in dashboard.context["page"].object_list],
        "map": dashboard.context["map"],
        "charts": {
            name: [(row["label"], row["count"]) for row in chart["rows"]]
            for name, chart in charts.items()
        },
        "countries": [code for code, _label in dashboard.context["form"].fields["country"].choices],
        "cells": {
            (row["focus"].value, cell["outcome"].value): (cell["count"], cell["rating"])
            for row in gap_map.context["rows"]
            for cell in row["cells"]
            if cell["count"]
        },
        # The rendered parts are cached too: the pages as a whole must be the same.
        "pages": (page_text(dashboard), page_text(gap_map)),
    }


def computed(client: Client) -> dict[str, Any]:
    """The same pages computed from the database, with no cache at all."""
    with mock.patch.object(caching, "current_version", return_value=None):
        return shown(client)


def warm(client: Client) -> dict[str, Any]:
    """Visit the pages twice, so that the second visit is served from the cache."""
    shown(client)
    return shown(client)


def make_reviewed(intervention: Intervention) -> Intervention:
    Intervention.objects.filter(pk=intervention.pk).update(curation=Curation.REVIEWED)
    intervention.refresh_from_db()
    return intervention


def test_a_second_visit_is_answered_from_the_cache_with_fewer_queries(client, registry):
    with mock.patch.object(caching, "cache", wraps=caching.cache) as cache:
        first = shown(client)
        second = shown(client)
    assert second == first == computed(client)
    assert cache.set.call_count == 3  # the counts, the gap map's cells, the countries
    with CaptureQueriesContext(connection) as from_cache:
        client.get(DASHBOARD)
    with (
        mock.patch.object(caching, "current_version", return_value=None),
        CaptureQueriesContext(connection) as uncached,
    ):
        client.get(DASHBOARD)
    assert len(from_cache.captured_queries) < len(uncached.captured_queries)


def test_publishing_shows_at_once(client, registry, camila):
    before = warm(client)
    services.publish(make_reviewed(registry["reviewed"]), camila)
    after = shown(client)
    assert after == computed(client)
    assert after["total"] == before["total"] + 1
    assert "BR" in after["countries"] and "BR" not in before["countries"]
    assert after["cells"][("situational", "robbery")] == (1, Rating.EFFECTIVE)


def test_unpublishing_removes_it_at_once(client, registry, camila):
    before = warm(client)
    services.unpublish(registry["jovenes"], camila)
    after = shown(client)
    assert after == computed(client)
    assert after["total"] == before["total"] - 1
    assert "MX" not in after["countries"]
    assert ("youth", "gang_violence") not in after["cells"]


def test_editing_a_published_intervention_shows_at_once(client, registry):
    before = warm(client)
    cuadrantes = registry["cuadrantes"]
    cuadrantes.start_year = 2021
    services.save_intervention(cuadrantes, tags={"focus": ["data"]})
    after = shown(client)
    assert after == computed(client)
    assert after["listed"][0] == "Cuadrantes" != before["listed"][0]  # newest first
    assert ("data", "homicide") in after["cells"]
    assert ("policing", "homicide") not in after["cells"]


def test_new_evaluations_and_recomputed_ratings_show_at_once(client, registry):
    warm(client)
    jovenes = registry["jovenes"]
    add_evaluation(jovenes, "homicide", GOOD)
    services.recompute_ratings(jovenes)
    after = shown(client)
    assert after == computed(client)
    assert after["cells"][("youth", "homicide")] == (1, Rating.PROMISING)


def test_an_evaluation_corrected_in_place_changes_the_robust_count_at_once(client, registry):
    before = warm(client)
    for evaluation in Evaluation.objects.filter(intervention=registry["jovenes"]):
        evaluation.sms_level = 2  # no longer robust; the ratings are not even recomputed
        evaluation.save()
    after = shown(client)
    assert after == computed(client)
    assert after["robust"] == before["robust"] - 1


def test_bulk_writes_which_send_no_signals_show_at_once(client, registry):
    warm(client)
    InterventionTag.objects.bulk_create(
        [InterventionTag(intervention=registry["jovenes"], kind="focus", code="community")]
    )
    assert shown(client) == computed(client)
    Intervention.objects.filter(pk=registry["reviewed"].pk).update(curation=Curation.PUBLISHED)
    assert shown(client) == computed(client)
    InterventionTag.objects.filter(code="policing").delete()
    after = shown(client)
    assert after == computed(client)
    assert ("policing", "homicide") not in after["cells"]


def test_a_change_in_plain_sql_as_from_another_process_shows_at_once(client, registry):
    before = warm(client)
    # No Django code runs here, as when another process or a database client writes:
    # the triggers change the token all the same.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE evidence_intervention SET curation = %s WHERE id = %s",
            [Curation.DRAFT, registry["cuadrantes"].pk],
        )
    after = shown(client)
    assert after == computed(client)
    assert after["total"] == before["total"] - 1


def test_every_write_to_the_registry_replaces_the_token(registry):
    tokens = [caching.current_version()]
    jovenes = registry["jovenes"]
    InterventionTag.objects.create(intervention=jovenes, kind="problem", code="theft")
    tokens.append(caching.current_version())
    jovenes.ratings.update(computed=Rating.MIXED)
    tokens.append(caching.current_version())
    Evaluation.objects.filter(intervention=jovenes).delete()
    tokens.append(caching.current_version())
    Intervention.objects.filter(pk=jovenes.pk).update(name="Jóvenes II")
    tokens.append(caching.current_version())
    assert None not in tokens
    assert len(set(tokens)) == len(tokens)


def test_a_rolled_back_change_leaves_the_token_as_it_was(registry):
    before = caching.current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Intervention.objects.filter(pk=registry["jovenes"].pk).update(name="Never")
        assert caching.current_version() != before  # within the transaction: changed
        raise RuntimeError
    assert caching.current_version() == before


def test_a_filtered_page_is_never_answered_from_the_unfiltered_cache(client, registry):
    warm(client)
    # The last value is empty, the filter still applies (htmx requests are not tidied).
    response = client.get(f"{DASHBOARD}?focus=policing&focus=", headers={"HX-Request": "true"})
    assert response.context["total"] == 1


def test_sorting_the_unfiltered_dashboard_uses_the_cached_counts_and_sorts(client, registry):
    warm(client)
    response = client.get(f"{DASHBOARD}?sort=name")
    assert [i.name for i in response.context["page"].object_list] == ["Cuadrantes", "Jóvenes"]
    assert response.context["total"] == 2


def test_without_the_version_row_the_pages_are_right_and_the_row_comes_back(client, registry):
    warm(client)
    RegistryVersion.objects.all().delete()  # as manage.py flush would
    Intervention.objects.filter(pk=registry["cuadrantes"].pk).update(curation=Curation.DRAFT)
    after = shown(client)
    assert after == computed(client)
    assert after["total"] == 1
    assert RegistryVersion.objects.filter(pk=versioning.TOKEN_ID).exists()


def test_without_triggers_nothing_is_cached(client, registry, monkeypatch):
    RegistryVersion.objects.all().delete()
    monkeypatch.setattr(versioning, "VENDORS", ())  # another database engine
    assert caching.current_version() is None
    with mock.patch.object(caching, "cache", wraps=caching.cache) as cache:
        shown(client)
    cache.set.assert_not_called()


def fragment_keys(path: str, language: str = "en") -> list[str]:
    version = caching.current_version()
    return [
        make_template_fragment_key("evidence-results", [version, language, path]),
        make_template_fragment_key("evidence-filters", [version, language, path, True, ""]),
    ]


def test_the_rendered_filters_and_results_are_kept_for_the_next_visitor(client, registry):
    first = client.get(DASHBOARD)
    assert all(cache.get(key) for key in fragment_keys(DASHBOARD))
    second = client.get(DASHBOARD)
    assert page_text(second) == page_text(first)


def test_the_rendered_parts_follow_the_visitors_language(client, registry):
    warm(client)
    spanish = Client(headers={"Accept-Language": "es"}).get(DASHBOARD)
    assert "Filtros" in spanish.content.decode()
    assert "Filters" in client.get(DASHBOARD).content.decode()


def test_the_rendered_results_follow_the_query_and_the_page(client, registry):
    warm(client)
    filtered = client.get(f"{DASHBOARD}?focus=youth")
    assert 'data-count="1"' in filtered.content.decode()
    assert 'data-count="2"' in client.get(DASHBOARD).content.decode()
    fragment = client.get(f"{DASHBOARD}?focus=youth", headers={"HX-Request": "true"})
    assert 'data-count="1"' in fragment.content.decode()
    assert "<form" not in fragment.content.decode()  # the results alone, as htmx asked


def test_without_a_token_no_rendered_part_is_kept(client, registry, monkeypatch):
    RegistryVersion.objects.all().delete()
    monkeypatch.setattr(versioning, "VENDORS", ())
    client.get(DASHBOARD)
    client.get(GAP_MAP)
    assert not any(cache.get(key) for key in fragment_keys(DASHBOARD))
