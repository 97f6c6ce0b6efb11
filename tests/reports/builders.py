"""A month of Popayán for the briefs, built on the personas (tests/personas.py).

Popayán's panel has sixteen leaders; one of them is neither female nor male (the group a
subtraction would reveal), and two are marked as rural (a group below k = 5). January and
February are closed, March is open. Its dialogue process is published, with one
commitment completed and confirmed by Luz, one overdue, one disputed and one cancelled,
and a session planned after February. A second, unpublished process holds a commitment
only people of Cauca see. Homicides are recorded for 2023, with DANE's population.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from convivencia.dialogues.choices import SessionKind, Verdict
from convivencia.dialogues.models import (
    Commitment,
    Concern,
    Process,
    Session,
    Update,
    Verification,
)
from convivencia.indicators import periods, presets, rollup
from convivencia.indicators.models import DataElement
from convivencia.panels.models import Respondent
from convivencia.territories.models import Population
from tests.dialogues.builders import status
from tests.indicators.test_explorer import store
from tests.panels import add_respondent, make_default_panel
from tests.panels.test_dashboard import answer_wave, close, open_wave
from tests.personas import make_personas

SIZE = 16
PHONE = "3001234567"


def make_world() -> SimpleNamespace:
    world = make_personas()
    places, orgs = world.places, world.orgs
    panel = make_default_panel(places.popayan, local_provider_name="Guardia campesina")
    for number in range(1, SIZE + 1):
        add_respondent(
            panel,
            f"R{number:03d}",
            contact={"phone": PHONE, "name": f"Lideresa {number}"},
            sex="female" if number % 2 else "male",
            area="rural" if number <= 2 else "urban",
            role="jac",
        )
    Respondent.objects.filter(panel=panel, code="R016").update(sex="other")
    everyone = range(1, SIZE + 1)
    january, february = open_wave(panel, "2024-01"), open_wave(panel, "2024-02")
    answer_wave(january, {n: {"B18": 6 + n % 2, "JUDGES": 6 + n % 2} for n in everyone})
    answer_wave(
        february,
        {
            n: {"B18": 2 + n % 2, "JUDGES": 2, "PROBLEMS": "2 3 5" if n <= 3 else "2 3"}
            for n in everyone
        },
    )
    close(january), close(february)
    march = open_wave(panel, "2024-03")
    answer_wave(march, {n: {"B18": 7, "JUDGES": 7} for n in range(1, 9)})

    process = Process.objects.create(
        territory=places.popayan, title="Diálogo Popayán 2024", is_published=True
    )
    start = datetime.datetime(2024, 3, 14, 15, 0, tzinfo=datetime.UTC)
    Session.objects.create(
        process=process,
        kind=SessionKind.JOINT,
        title="Segundo diálogo",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        venue="Salón comunal Bolívar",
    )
    Concern.objects.create(process=process, title="Extorsión a comerciantes")
    created = datetime.datetime(2024, 1, 10, 12, 0, tzinfo=datetime.UTC)

    def commitment(reference: str, title: str, due: str, code: str, in_process=process):
        return Commitment.objects.create(
            process=in_process,
            reference=reference,
            title=title,
            responsible=orgs.police,
            territory=places.popayan,
            due_date=datetime.date.fromisoformat(due),
            verification="Acta de la JAC",
            status=status(code),
            created_at=created,
        )

    done = commitment("C-1", "Alumbrado en el parque", "2024-02-15", "verified")
    late = commitment("C-2", "Patrullajes nocturnos", "2024-02-01", "in_progress")
    disputed = commitment("C-3", "Cámaras en la plaza", "2024-02-10", "reported_done")
    commitment("C-4", "Retén en la vía", "2024-02-20", "cancelled")
    private = Process.objects.create(territory=places.popayan, title="Mesa reservada")
    commitment("R-1", "Ruta de protección a lideresas", "2024-01-20", "in_progress", private)
    for target, verdict in ((done, Verdict.CONFIRMED), (disputed, Verdict.DISPUTED)):
        claim = Update.objects.create(
            commitment=target,
            organisation=orgs.police,
            status=status("reported_done"),
            progress=100,
            description="Hecho",
        )
        Verification.objects.create(update=claim, leader=world.people["leader"], verdict=verdict)

    presets.ensure_presets()
    homicides = DataElement.objects.get(code="homicides")
    for month in range(1, 13):
        store(homicides, places.popayan, f"2023-{month:02d}", 3)
    Population.objects.create(territory=places.popayan, year=2023, value=330_000, source="DANE")
    rollup.refresh(
        [homicides.pk], ["police"], periods.parse("2023").start, periods.parse("2023").end
    )
    world.__dict__.update(
        panel=panel,
        january=january,
        february=february,
        march=march,
        process=process,
        private=private,
        late=late,
    )
    return world
