"""A dialogue process in Popayán with its people, built in code.

Personas: Camila coordinates Cauca; Pablo is the police liaison for Popayán;
Pedro is a police liaison in Pasto; Luz is a community leader in Popayán;
Lucía is a community leader in Pasto; Fernanda is the prosecutor's liaison for
Popayán (a provider of another organisation); Nadia is signed in with no role.
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone

from convivencia.accounts.choices import OrganisationType, Role
from convivencia.dialogues.choices import SessionKind
from convivencia.dialogues.models import Commitment, CommitmentStatus, Process, Session
from tests.factories import grant, make_colombia, make_organisation, make_user


def make_world() -> SimpleNamespace:
    places = make_colombia()
    programme = make_organisation("Programa")
    police = make_organisation("Policía Cauca", OrganisationType.POLICE)
    police_narino = make_organisation("Policía Nariño", OrganisationType.POLICE)
    community = make_organisation("JAC Bolívar", OrganisationType.COMMUNITY)
    prosecutor = make_organisation("Fiscalía Cauca", OrganisationType.PROSECUTOR)
    camila, pablo, pedro, luz, lucia = (
        make_user(n) for n in ("camila", "pablo", "pedro", "luz", "lucia")
    )
    fernanda = make_user("fernanda", first_name="Fernanda", last_name="Ríos")
    nadia = make_user("nadia")
    grant(camila, programme, Role.COORDINATOR, [places.cauca])
    grant(pablo, police, Role.PROVIDER, [places.popayan])
    grant(pedro, police_narino, Role.PROVIDER, [places.pasto])
    grant(luz, community, Role.COMMUNITY_LEADER, [places.popayan])
    grant(lucia, community, Role.COMMUNITY_LEADER, [places.pasto])
    grant(fernanda, prosecutor, Role.PROVIDER, [places.popayan])
    process = Process.objects.create(
        territory=places.popayan, title="Diálogo Popayán", is_published=True
    )
    start = timezone.now()
    session = Session.objects.create(
        process=process,
        kind=SessionKind.JOINT,
        title="Primer diálogo",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
    )
    return SimpleNamespace(
        places=places,
        programme=programme,
        police=police,
        police_narino=police_narino,
        community=community,
        prosecutor=prosecutor,
        camila=camila,
        pablo=pablo,
        pedro=pedro,
        luz=luz,
        lucia=lucia,
        fernanda=fernanda,
        nadia=nadia,
        process=process,
        session=session,
    )


def status(code: str) -> CommitmentStatus:
    return CommitmentStatus.objects.get(code=code)


def make_commitment(world, reference="C-1", due=None, parent=None, weight=1, **fields):
    return Commitment.objects.create(
        process=world.process,
        made_in=world.session,
        reference=reference,
        title=fields.pop("title", "Patrullajes nocturnos en el barrio Bolívar"),
        responsible=fields.pop("responsible", world.police),
        territory=world.places.popayan,
        due_date=due or (timezone.localdate() + datetime.timedelta(days=30)),
        verification="Acta de la JAC",
        status=status("not_started"),
        parent=parent,
        weight=weight,
        **fields,
    )


def make_private_process(world, title="Diálogo reservado") -> Process:
    """An unpublished process in Popayán: only people with a role there see it."""
    return Process.objects.create(territory=world.places.popayan, title=title, is_published=False)


def make_session(process, title="Sesión", days=7, **fields) -> Session:
    start = timezone.now() + datetime.timedelta(days=days)
    return Session.objects.create(
        process=process,
        kind=fields.pop("kind", SessionKind.JOINT),
        title=title,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        **fields,
    )


def commitment_in(process, world, reference="C-1", **fields) -> Commitment:
    """A commitment of the police in Popayán, in any process."""
    return Commitment.objects.create(
        process=process,
        reference=reference,
        title=fields.pop("title", "Patrullajes nocturnos"),
        responsible=fields.pop("responsible", world.police),
        territory=world.places.popayan,
        due_date=fields.pop("due", timezone.localdate() + datetime.timedelta(days=30)),
        verification="Acta de la JAC",
        status=status(fields.pop("code", "not_started")),
        **fields,
    )
