"""The data exchange page lists a study's REFI-QDA files for its team, and for nobody else."""

from __future__ import annotations

from convivencia.core.exchange import Filters
from convivencia.studies import exchange
from tests.studies.builders import make_world


def test_the_team_finds_its_studys_codebook_and_project_and_others_find_nothing(db):
    world = make_world()
    [entry] = exchange.exports(world.personas.analyst, Filters())
    urls = [link.url for link in entry.links]
    assert f"/studies/{world.study.pk}/codebook.qdc" in urls
    assert f"/studies/{world.study.pk}/project.qdpx" in urls
    titles = [entry.title for entry in exchange.exports(world.personas.coord_narino, Filters())]
    assert titles == [f"Estudio de Pasto ({world.pasto.territory.name})"]
    assert exchange.exports(world.personas.police, Filters()) == []
    assert exchange.exports(world.personas.leader, Filters()) == []
