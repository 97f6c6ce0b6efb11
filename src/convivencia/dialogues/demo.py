"""Synthetic dialogue processes for the demo: Popayán (19001) and San Andrés de Tumaco (52835).

The story matches the panel and indicator demos. In Popayán, trust in the police had
fallen by mid-2024; the joint dialogue of 12 September 2024 agreed on concrete
changes, most were kept and confirmed by the community, and trust recovers after
it. In Tumaco, trust in the police falls after June 2024 as extortion climbs (the
panel flags the drop in the July wave); the community and then the institutions met
in August, and the follow-up lags.

Popayán's commitments cover every state a commitment can be in — not started, in
progress, delayed and overdue, stalled, reported done and awaiting the community,
confirmed, disputed and cancelled — with updates by the demo police liaison
(``policia.popayan``) and verdicts by the demo community leader (``lider.popayan``).
The figures quoted in past agendas are the story's; an upcoming session's
proposals are computed from whatever panel and indicator data is loaded before this
builder runs. Dates of the story are written on the calendar of ``core.demo_clock.REFERENCE``
and moved, with the months and years its texts quote, to today's (``_date``, ``_text``); what
must look current (due dates, recent updates) is
placed relative to the day the demo is loaded, so that overdue means overdue today. Every
past event of the story falls before the reference day, so none lies in the future.

Rows are written directly, not through the services: the services would notify
followers and write audit entries for things nobody did. A second run deletes the
demo processes (their titles end with "(demo)") and builds them again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone, translation

from convivencia.accounts.models import Organisation, User
from convivencia.core import demo_clock
from convivencia.dialogues import agenda
from convivencia.dialogues.choices import (
    AgendaOrigin,
    Attendance,
    InstrumentKind,
    Mode,
    ParticipantRole,
    Phase,
    Priority,
    ProposalStatus,
    SessionKind,
    SessionStatus,
    UptakeStage,
    Verdict,
)
from convivencia.dialogues.models import (
    ActionPlan,
    AgendaItem,
    Commitment,
    CommitmentStatus,
    Concern,
    Participation,
    PolicyUptake,
    Process,
    Session,
    Update,
    UptakeStep,
    Verification,
    Vote,
)
from convivencia.territories.models import Territory

MARK = "(demo)"


def _when(day: datetime.date, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _date(text: str) -> datetime.date:
    """A date of the story (written on the reference calendar), moved to today's."""
    return demo_clock.shift(datetime.date.fromisoformat(text))


# A text of the story, its months and years moved with its dates.
_text = demo_clock.retell


@dataclass
class Cast:
    """The demo people and organisations this builder uses."""

    camila: User
    carlos: User
    pablo: User
    fernanda: User
    luz: User
    organisations: dict[str, Organisation]

    @classmethod
    def load(cls) -> Cast:
        users = {
            user.username: user
            for user in User.objects.filter(
                username__in=[
                    "coordinadora.cauca",
                    "coordinador.narino",
                    "policia.popayan",
                    "fiscalia.popayan",
                    "lider.popayan",
                ]
            )
        }
        return cls(
            camila=users["coordinadora.cauca"],
            carlos=users["coordinador.narino"],
            pablo=users["policia.popayan"],
            fernanda=users["fiscalia.popayan"],
            luz=users["lider.popayan"],
            organisations={o.short_name: o for o in Organisation.objects.exclude(short_name="")},
        )

    def org(self, short_name: str) -> Organisation:
        return self.organisations[short_name]


class Builder:
    def __init__(self, cast: Cast, today: datetime.date) -> None:
        self.cast = cast
        self.today = today
        self.statuses = {status.code: status for status in CommitmentStatus.objects.all()}

    def days(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def session(
        self,
        process: Process,
        kind: str,
        title: str,
        day: datetime.date,
        *,
        hours: int = 3,
        status: str = SessionStatus.HELD,
        **fields,
    ) -> Session:
        start = _when(day, fields.pop("hour", 9))
        return Session.objects.create(
            process=process,
            kind=kind,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
            status=status,
            **fields,
        )

    def agenda(self, session: Session, items: list[tuple]) -> None:
        """(title, minutes, origin, evidence, children) tuples; children the same shape."""

        def add(entries: list[tuple], parent: AgendaItem | None) -> None:
            for position, (title, minutes, origin, evidence, children) in enumerate(entries, 1):
                item = AgendaItem.objects.create(
                    session=session,
                    parent=parent,
                    position=position,
                    title=_text(title),
                    duration_minutes=minutes,
                    origin=origin,
                    evidence=_text(evidence),
                    status=ProposalStatus.ACCEPTED,
                )
                add(children, item)

        add(items, None)

    def commitment(
        self,
        process: Process,
        reference: str,
        title: str,
        responsible: str,
        *,
        due: datetime.date,
        created: datetime.date,
        code: str = "not_started",
        progress: int = 0,
        **fields,
    ) -> Commitment:
        co_responsible = fields.pop("co_responsible", [])
        commitment = Commitment.objects.create(
            process=process,
            reference=reference,
            title=title,
            responsible=self.cast.org(responsible),
            territory=process.territory,
            start_date=fields.pop("start", created),
            due_date=due,
            verification=fields.pop("verification", "Acta de la JAC firmada por tres líderes"),
            status=self.statuses[code],
            progress=progress,
            created_at=_when(created, 12),
            **fields,
        )
        commitment.co_responsible.set([self.cast.org(name) for name in co_responsible])
        return commitment

    def update(
        self,
        commitment: Commitment,
        day: datetime.date,
        code: str,
        progress: int,
        text: str,
        *,
        by: User | None,
        organisation: str | None,
    ) -> Update:
        update = Update.objects.create(
            commitment=commitment,
            posted_by=by,
            organisation=self.cast.org(organisation) if organisation else None,
            posted_at=_when(day, 16),
            status=self.statuses[code],
            progress=progress,
            description=text,
        )
        # The commitment stands where its latest update put it.
        commitment.status = self.statuses[code]
        commitment.progress = progress
        commitment.last_update_at = update.posted_at
        commitment.save(update_fields=["status", "progress", "last_update_at"])
        return update

    def verdict(self, update: Update, day: datetime.date, verdict: str, comment: str) -> None:
        Verification.objects.create(
            update=update, leader=self.cast.luz, verdict=verdict, comment=comment, at=_when(day, 18)
        )
        if verdict == Verdict.CONFIRMED:
            commitment = update.commitment
            commitment.status = self.statuses["verified"]
            commitment.progress = 100
            commitment.save(update_fields=["status", "progress"])

    def participants(self, session: Session, people: list[tuple]) -> list[Participation]:
        """(name, role, organisation short name or None, attendance, public, user or None)."""
        created = []
        for name, role, organisation, attendance, public, user in people:
            created.append(
                Participation.objects.create(
                    session=session,
                    user=user,
                    name=name,
                    role=role,
                    organisation=self.cast.org(organisation) if organisation else None,
                    attendance=attendance,
                    public_listing=public,
                    registered_at=session.starts_at - datetime.timedelta(days=5),
                    checked_in_at=session.starts_at if attendance == Attendance.ATTENDED else None,
                )
            )
        return created

    def ballots(self, session: Session, ballots: dict[User, list[Concern]]) -> None:
        for voter, ranked in ballots.items():
            for rank, concern in enumerate(ranked, start=1):
                Vote.objects.create(session=session, concern=concern, voter=voter, rank=rank)

    def propose_from_data(self, session: Session) -> None:
        """What the data suggests for an upcoming session, left for the facilitator to decide.

        Written directly (not ``agenda.propose``) so that loading the demo leaves no audit
        entries; the first proposal is accepted, as a facilitator would. Proposed in Spanish,
        the language of the demo's people and of every other text it writes (the command
        runs in whichever language the shell has)."""
        position = session.agenda.count() + 1
        with translation.override("es"):
            proposals = agenda.proposals(session)
        for index, proposal in enumerate(proposals):
            AgendaItem.objects.create(
                session=session,
                position=position + index,
                title=proposal.title[:300],
                description=proposal.description,
                duration_minutes=proposal.minutes,
                origin=proposal.origin,
                evidence=proposal.evidence,
                status=ProposalStatus.ACCEPTED if index == 0 else ProposalStatus.PROPOSED,
            )


def build_popayan(builder: Builder, popayan: Territory) -> Process:
    cast = builder.cast
    process = Process.objects.create(
        territory=popayan,
        title=f"Diálogo de seguridad y justicia — Comuna 2, Popayán {MARK}",
        description=_text(
            "Líderes de las juntas de acción comunal de la Comuna 2 con la Policía, la "
            "Fiscalía y la Alcaldía. En el panel de percepción, la confianza en la Policía "
            "había caído durante el primer semestre de 2024; el diálogo conjunto de "
            "septiembre acordó cambios concretos, que se siguen aquí."
        ),
        phase=Phase.IMPLEMENTATION,
        plan_name=_text("PISCC Popayán 2024–2027"),
        plan_line="L2",
        plan_programme="P2.3",
        is_published=True,
        created_at=_when(_date("2024-07-15")),
    )
    process.facilitators.set([cast.camila])
    process.partners.set(
        [
            cast.org("Unicauca"),
            cast.org("Defensoría Cauca"),
            cast.org("DECAU"),
            cast.org("Fiscalía Cauca"),
            cast.org("Alcaldía Popayán"),
        ]
    )

    community = builder.session(
        process,
        SessionKind.COMMUNITY,
        "Encuentro comunitario preparatorio",
        _date("2024-08-20"),
        venue="Salón comunal del barrio Bolívar",
        minutes="Los líderes priorizaron el hurto en el parque Caldas y la demora de la "
        "Policía en la noche.",
    )
    builder.session(
        process,
        SessionKind.PROVIDERS,
        "Reunión preparatoria con las instituciones",
        _date("2024-08-27"),
        hours=2,
        venue="Comando de Policía, sala de juntas",
    )
    joint = builder.session(
        process,
        SessionKind.JOINT,
        "Diálogo de seguridad y justicia",
        _date("2024-09-12"),
        hours=4,
        venue="Casa de la Cultura, Popayán",
        capacity=40,
        minutes="Se acordaron ocho compromisos y un plan de acción. La Policía presentará "
        "avances mensuales; la JAC verificará.",
        closing_report="Asistieron 31 personas. Los compromisos se publicaron en la "
        "plataforma el mismo día.",
    )
    workshop = builder.session(
        process,
        SessionKind.WORKSHOP,
        "Taller: rutas de atención y denuncia",
        _date("2024-10-15"),
        venue="Universidad del Cauca, aula 204",
        curriculum_module="Módulo 2: rutas de atención a víctimas",
        trainers="Defensoría del Pueblo; Universidad del Cauca",
    )
    high_level = builder.session(
        process,
        SessionKind.HIGH_LEVEL,
        "Diálogo de alto nivel: compromisos y PISCC",
        _date("2024-11-14"),
        hours=2,
        venue="Alcaldía de Popayán, despacho",
    )
    review = builder.session(
        process,
        SessionKind.JOINT,
        "Revisión de compromisos",
        builder.days(-30),
        venue="Salón comunal del barrio Bolívar",
    )
    upcoming = builder.session(
        process,
        SessionKind.JOINT,
        "Diálogo de seguimiento",
        builder.days(21),
        status=SessionStatus.PLANNED,
        mode=Mode.HYBRID,
        venue="Casa de la Cultura, Popayán",
        online_url="https://meet.example.org/demo-popayan",
        capacity=12,
    )

    builder.agenda(
        community,
        [
            ("Bienvenida y reglas del encuentro", 15, AgendaOrigin.MANUAL, "", []),
            (
                "La confianza en la Policía cayó: ¿qué pasó?",
                30,
                AgendaOrigin.PANEL,
                "Confianza en Policía Nacional: 58% en 2024-01 → 41% en 2024-07 "
                "(panel de percepción)",
                [],
            ),
            (
                "Problemas más mencionados",
                45,
                AgendaOrigin.CONCERN,
                "Hurto: mencionado por 31 de 48 líderes (65%), ola 2024-07",
                [],
            ),
            ("Qué pedir en el diálogo conjunto", 30, AgendaOrigin.MANUAL, "", []),
        ],
    )
    builder.agenda(
        joint,
        [
            ("Apertura", 15, AgendaOrigin.MANUAL, "", []),
            (
                "Lo que dicen los datos",
                0,
                AgendaOrigin.MANUAL,
                "",
                [
                    (
                        "Confianza en la Policía",
                        20,
                        AgendaOrigin.PANEL,
                        "Confianza en Policía Nacional: 58% en 2024-01 → 40% en 2024-08 (panel de "
                        "percepción)",
                        [],
                    ),
                    (
                        "Hurto y homicidios en 2024",
                        15,
                        AgendaOrigin.INDICATOR,
                        "Tasa de hurto con violencia por 100.000 habitantes: "
                        "162,3 (enero–julio 2023) → "
                        "171,8 (enero–julio 2024)",
                        [],
                    ),
                ],
            ),
            ("Prioridades de la comunidad (votación)", 30, AgendaOrigin.CONCERN, "", []),
            (
                "Compromisos: quién hace qué, para cuándo",
                90,
                AgendaOrigin.MANUAL,
                "",
                [
                    ("Policía", 40, AgendaOrigin.MANUAL, "", []),
                    ("Fiscalía", 25, AgendaOrigin.MANUAL, "", []),
                    ("Alcaldía", 25, AgendaOrigin.MANUAL, "", []),
                ],
            ),
            ("Cierre y próxima fecha", 15, AgendaOrigin.MANUAL, "", []),
        ],
    )
    builder.agenda(
        review,
        [
            ("Estado de cada compromiso", 60, AgendaOrigin.MANUAL, "", []),
            ("Compromisos en disputa", 30, AgendaOrigin.MANUAL, "", []),
        ],
    )
    builder.agenda(
        upcoming,
        [
            ("Apertura", 10, AgendaOrigin.MANUAL, "", []),
            ("Compromisos vencidos y sin avance", 40, AgendaOrigin.MANUAL, "", []),
        ],
    )

    builder.participants(
        joint,
        [
            (
                "Luz Caicedo",
                ParticipantRole.COMMUNITY_LEADER,
                "JAC Bolívar",
                Attendance.ATTENDED,
                True,
                cast.luz,
            ),
            (
                "Pablo Ortiz",
                ParticipantRole.PROVIDER,
                "DECAU",
                Attendance.ATTENDED,
                True,
                cast.pablo,
            ),
            (
                "Fernanda Ríos",
                ParticipantRole.PROVIDER,
                "Fiscalía Cauca",
                Attendance.ATTENDED,
                False,
                cast.fernanda,
            ),
            (
                "Camila Muñoz",
                ParticipantRole.FACILITATOR,
                "Convivencia",
                Attendance.ATTENDED,
                True,
                cast.camila,
            ),
            (
                "María Obando",
                ParticipantRole.COMMUNITY_LEADER,
                "JAC Bolívar",
                Attendance.ATTENDED,
                True,
                None,
            ),
            (
                "José Manquillo",
                ParticipantRole.COMMUNITY_LEADER,
                None,
                Attendance.ATTENDED,
                False,
                None,
            ),
            (
                "Rosa Quiñones",
                ParticipantRole.COMMUNITY_LEADER,
                None,
                Attendance.ATTENDED,
                True,
                None,
            ),
            ("Andrés Vela", ParticipantRole.PROVIDER, "DECAU", Attendance.ATTENDED, False, None),
            (
                "Delegada de la Alcaldía",
                ParticipantRole.PROVIDER,
                "Alcaldía Popayán",
                Attendance.ATTENDED,
                False,
                None,
            ),
            ("Julián Paz", ParticipantRole.OBSERVER, "Unicauca", Attendance.NO_SHOW, False, None),
        ],
    )
    scores = [(45, 68), (50, 70), (38, 55), (60, 75), (55, 66), (42, 60), (48, 64), (52, 71)]
    trainees = builder.participants(
        workshop,
        [
            (
                name,
                ParticipantRole.COMMUNITY_LEADER,
                "JAC Bolívar",
                Attendance.ATTENDED,
                False,
                None,
            )
            for name in (
                "Ana Chicangana",
                "Beatriz Sandoval",
                "Carlos Ijají",
                "Diana Mosquera",
                "Edwin Campo",
                "Flor Yandar",
                "Gloria Fernández",
                "Héctor Ul",
            )
        ],
    )
    for participation, (pre, post) in zip(trainees, scores, strict=True):
        participation.pre_score, participation.post_score = Decimal(pre), Decimal(post)
        participation.save(update_fields=["pre_score", "post_score"])
    builder.participants(
        upcoming,
        [
            (
                "Luz Caicedo",
                ParticipantRole.COMMUNITY_LEADER,
                "JAC Bolívar",
                Attendance.REGISTERED,
                True,
                cast.luz,
            ),
            (
                "Pablo Ortiz",
                ParticipantRole.PROVIDER,
                "DECAU",
                Attendance.REGISTERED,
                True,
                cast.pablo,
            ),
            *[
                (name, ParticipantRole.COMMUNITY_LEADER, None, Attendance.REGISTERED, False, None)
                for name in (
                    "María Obando",
                    "Rosa Quiñones",
                    "José Manquillo",
                    "Nelly Guzmán",
                    "Oscar Majín",
                    "Patricia Solarte",
                    "Ramiro Bolaños",
                    "Sandra Chilito",
                )
            ],
            ("Andrés Vela", ParticipantRole.PROVIDER, "DECAU", Attendance.REGISTERED, False, None),
            (
                "Delegada de la Alcaldía",
                ParticipantRole.PROVIDER,
                "Alcaldía Popayán",
                Attendance.REGISTERED,
                False,
                None,
            ),
            (
                "Teresa Ordóñez",
                ParticipantRole.COMMUNITY_LEADER,
                None,
                Attendance.WAITLISTED,
                False,
                None,
            ),
            (
                "Ulises Cerón",
                ParticipantRole.OBSERVER,
                "Unicauca",
                Attendance.WAITLISTED,
                False,
                None,
            ),
        ],
    )

    theft = Concern.objects.create(
        process=process,
        raised_in=community,
        title="Hurto y atracos en el parque Caldas",
        priority=Priority.HIGH,
        evidence=_text("Panel: el problema más mencionado (65% en 2024-07)."),
    )
    night = Concern.objects.create(
        process=process,
        raised_in=community,
        title="La Policía tarda en llegar de noche",
        priority=Priority.HIGH,
        evidence=_text("Panel: 'más de una hora' fue la respuesta más común en 2024-07."),
    )
    drugs = Concern.objects.create(
        process=process,
        raised_in=community,
        title="Expendio de drogas cerca del colegio",
        priority=Priority.MEDIUM,
    )
    fear = Concern.objects.create(
        process=process,
        raised_in=joint,
        title="Miedo a denunciar ante la Fiscalía",
        priority=Priority.MEDIUM,
    )
    light = Concern.objects.create(
        process=process,
        raised_in=joint,
        title="Alumbrado deficiente en los senderos",
        priority=Priority.LOW,
    )
    from convivencia.indicators.models import Indicator

    theft.monitored_indicator = Indicator.objects.filter(code="robbery_rate").first()
    theft.save(update_fields=["monitored_indicator"])
    builder.ballots(
        joint,
        {
            cast.luz: [night, theft, drugs, light],
            cast.pablo: [theft, night, fear],
            cast.fernanda: [fear, theft, night, drugs, light],
            cast.camila: [night, drugs, theft],
        },
    )

    plan = ActionPlan.objects.create(
        process=process,
        adopted_in=joint,
        title=_text("Plan de acción Comuna 2, 2024–2025"),
        adopted_on=_date("2024-09-12"),
    )
    story = _date("2024-09-12")

    # Confirmed by the community (the dialogue's first visible result).
    line = builder.commitment(
        process,
        "P-01",
        "Publicar la línea directa del cuadrante en cada barrio",
        "DECAU",
        due=_date("2024-10-31"),
        created=story,
        made_in=joint,
        action_plan=plan,
        concern=night,
        verification="Volantes en los 12 barrios y una llamada de prueba con la JAC",
    )
    builder.update(
        line,
        _date("2024-09-30"),
        "in_progress",
        50,
        "Volantes impresos; entregados en 6 de los 12 barrios.",
        by=cast.pablo,
        organisation="DECAU",
    )
    claim = builder.update(
        line,
        _date("2024-10-25"),
        "reported_done",
        100,
        "Volantes en los 12 barrios; la línea contesta las 24 horas.",
        by=cast.pablo,
        organisation="DECAU",
    )
    builder.verdict(
        claim,
        _date("2024-11-02"),
        Verdict.CONFIRMED,
        "Llamamos de prueba con la JAC a las 11 p. m. y contestaron.",
    )

    # In progress, with sub-commitments whose progress rolls up (weighted).
    patrols = builder.commitment(
        process,
        "P-02",
        "Patrullajes nocturnos en el barrio Bolívar y el parque Caldas",
        "DECAU",
        due=builder.days(120),
        created=story,
        made_in=joint,
        action_plan=plan,
        concern=theft,
        code="in_progress",
        progress=0,
        panel_item_code="B18",
    )
    on_foot = builder.commitment(
        process,
        "P-02.1",
        "Patrullaje a pie de 8 p. m. a 12 a. m., tres noches por semana",
        "DECAU",
        due=builder.days(120),
        created=story,
        parent=patrols,
        weight=2,
    )
    builder.update(
        on_foot,
        builder.days(-40),
        "in_progress",
        40,
        "Tres noches por semana desde octubre; falta el parque Caldas.",
        by=cast.pablo,
        organisation="DECAU",
    )
    builder.update(
        on_foot,
        builder.days(-10),
        "in_progress",
        60,
        "El parque Caldas entró en la ruta los jueves y sábados.",
        by=cast.pablo,
        organisation="DECAU",
    )
    weekends = builder.commitment(
        process,
        "P-02.2",
        "Patrullaje en moto los fines de semana",
        "DECAU",
        due=_date("2024-11-30"),
        created=story,
        parent=patrols,
        weight=1,
    )
    weekend_claim = builder.update(
        weekends,
        _date("2024-11-18"),
        "reported_done",
        100,
        "Dos motos cada fin de semana desde diciembre.",
        by=cast.pablo,
        organisation="DECAU",
    )
    builder.verdict(
        weekend_claim,
        _date("2024-11-25"),
        Verdict.CONFIRMED,
        "Se ven las motos los sábados en la noche.",
    )
    patrols.progress = round((60 * 2 + 100 * 1) / 3)
    patrols.last_update_at = _when(builder.days(-10), 16)
    patrols.save(update_fields=["progress", "last_update_at"])

    # Delayed and overdue.
    victims = builder.commitment(
        process,
        "P-03",
        "Punto de atención a víctimas en la Casa de Justicia",
        "Fiscalía Cauca",
        due=builder.days(-40),
        created=story,
        made_in=joint,
        action_plan=plan,
        concern=fear,
        verification="Punto abierto con horario publicado",
    )
    builder.update(
        victims,
        _date("2024-10-30"),
        "in_progress",
        25,
        "Local asignado en la Casa de Justicia.",
        by=cast.fernanda,
        organisation="Fiscalía Cauca",
    )
    builder.update(
        victims,
        builder.days(-15),
        "delayed",
        40,
        "Falta el contrato de la persona que atenderá; se espera en dos meses.",
        by=cast.fernanda,
        organisation="Fiscalía Cauca",
    )

    # Stalled: no update for far longer than 45 days.
    table = builder.commitment(
        process,
        "P-04",
        "Mesa mensual de seguimiento del cuadrante con la JAC",
        "DECAU",
        due=builder.days(60),
        created=story,
        made_in=joint,
        action_plan=plan,
        verification="Actas mensuales firmadas por la JAC",
    )
    builder.update(
        table,
        builder.days(-75),
        "in_progress",
        30,
        "Dos mesas realizadas (agosto y septiembre).",
        by=cast.pablo,
        organisation="DECAU",
    )

    # Reported done, awaiting the community's verdict.
    response = builder.commitment(
        process,
        "P-05",
        "Responder las llamadas nocturnas en menos de 15 minutos",
        "DECAU",
        due=builder.days(30),
        created=story,
        made_in=joint,
        action_plan=plan,
        concern=night,
        co_responsible=["Alcaldía Popayán"],
        panel_item_code="POLTIME",
        verification="Informe mensual de tiempos de respuesta y consulta a la JAC",
    )
    builder.update(
        response,
        builder.days(-50),
        "in_progress",
        50,
        "Nuevo turno nocturno en la central desde el 1.º del mes.",
        by=cast.pablo,
        organisation="DECAU",
    )
    builder.update(
        response,
        builder.days(-4),
        "reported_done",
        100,
        "Tiempo promedio de respuesta del último mes: 12 minutos (informe de la central).",
        by=cast.pablo,
        organisation="DECAU",
    )

    # Disputed by the community: the claim stands, the community says no.
    school = builder.commitment(
        process,
        "P-06",
        "Control del expendio de drogas cerca del colegio",
        "DECAU",
        due=builder.days(45),
        created=story,
        made_in=joint,
        action_plan=plan,
        concern=drugs,
    )
    disputed = builder.update(
        school,
        builder.days(-20),
        "reported_done",
        100,
        "Cuatro operativos y presencia diaria a la salida del colegio.",
        by=cast.pablo,
        organisation="DECAU",
    )
    builder.verdict(
        disputed,
        builder.days(-15),
        Verdict.DISPUTED,
        "Siguen vendiendo en la esquina de la cancha después de las 6 p. m.",
    )

    # Not started (recorded at the last review, due later).
    lights = builder.commitment(
        process,
        "P-07",
        "Instalar 20 luminarias en el sendero al colegio",
        "Alcaldía Popayán",
        due=builder.days(150),
        created=builder.days(-12),
        made_in=review,
        concern=light,
        verification="Recorrido nocturno con la JAC",
    )
    lights.created_at = _when(builder.days(-12), 12)
    lights.save(update_fields=["created_at"])

    # Cancelled by the coordination, saying why.
    cameras = builder.commitment(
        process,
        "P-08",
        "Cámaras de vigilancia en el parque Caldas",
        "Alcaldía Popayán",
        due=_date("2025-06-30"),
        created=story,
        made_in=joint,
        action_plan=plan,
        concern=theft,
    )
    builder.update(
        cameras,
        _date("2024-11-14"),
        "cancelled",
        0,
        "La Alcaldía lo incluyó en su proyecto de ciudad inteligente (PISCC, línea "
        "2): se sigue allí.",
        by=cast.camila,
        organisation=None,
    )

    for commitment in (line, patrols, response, school):
        commitment.followers.add(cast.luz)

    protocol = PolicyUptake.objects.create(
        process=process,
        commitment=table,
        lesson="Una mesa mensual entre el cuadrante y la JAC mantiene vivos los compromisos.",
        instrument_kind=InstrumentKind.PISCC,
        instrument_name=_text("PISCC Popayán 2024–2027"),
    )
    for stage, day, document in (
        (UptakeStage.PROPOSED, "2024-09-12", "Acta del diálogo del 12 de septiembre de 2024"),
        (UptakeStage.INCLUDED, "2024-10-30", "Documento PISCC, línea 2, programa 2.3"),
        (UptakeStage.ADOPTED, "2024-11-28", "Decreto municipal 0123 de 2024 (demo)"),
    ):
        UptakeStep.objects.create(
            uptake=protocol, stage=stage, date=_date(day), document=_text(document)
        )
    night_protocol = PolicyUptake.objects.create(
        process=process,
        commitment=response,
        lesson="Turno nocturno en la central y meta de respuesta de 15 minutos.",
        instrument_kind=InstrumentKind.POLICE_PROTOCOL,
        instrument_name="Protocolo de atención de llamadas nocturnas, DECAU",
    )
    for stage, day, document in (
        (UptakeStage.PROPOSED, "2024-09-12", "Acta del diálogo"),
        (UptakeStage.INCLUDED, "2024-12-02", "Borrador de protocolo v2"),
    ):
        UptakeStep.objects.create(
            uptake=night_protocol, stage=stage, date=_date(day), document=document
        )

    builder.propose_from_data(upcoming)
    high_level.minutes = (
        "La Alcaldía incluyó la mesa cuadrante–JAC en el PISCC y explicó por "
        "qué las cámaras pasan al proyecto de ciudad inteligente."
    )
    high_level.save(update_fields=["minutes"])
    return process


def build_tumaco(builder: Builder, tumaco: Territory) -> Process:
    cast = builder.cast
    process = Process.objects.create(
        territory=tumaco,
        title=f"Diálogo comunitario sobre extorsión — San Andrés de Tumaco {MARK}",
        description=_text(
            "Desde mediados de 2023 la extorsión crece y la confianza en la Policía cae en el "
            "panel. La comunidad y luego las instituciones se reunieron en agosto; el "
            "seguimiento va atrasado."
        ),
        phase=Phase.DIALOGUE,
        plan_name=_text("PISCC Tumaco 2024–2027"),
        is_published=True,
        created_at=_when(_date("2024-06-20")),
    )
    process.facilitators.set([cast.carlos])
    process.partners.set([cast.org("Alcaldía Tumaco")])
    community = builder.session(
        process,
        SessionKind.COMMUNITY,
        "Encuentro comunitario: extorsión y economías ilegales",
        _date("2024-08-14"),
        venue="Casa comunal del barrio Viento Libre",
    )
    builder.session(
        process,
        SessionKind.PROVIDERS,
        "Reunión con las instituciones",
        _date("2024-08-28"),
        hours=2,
        venue="Alcaldía de Tumaco",
    )
    joint = builder.session(
        process,
        SessionKind.JOINT,
        "Primer diálogo conjunto",
        _date("2024-11-20"),
        hours=4,
        venue="Centro cultural, Tumaco",
    )
    upcoming = builder.session(
        process,
        SessionKind.JOINT,
        "Segundo diálogo conjunto",
        builder.days(35),
        status=SessionStatus.PLANNED,
        capacity=30,
        venue="Centro cultural, Tumaco",
    )
    builder.agenda(
        community,
        [
            (
                "Qué está pasando con la extorsión",
                45,
                AgendaOrigin.INDICATOR,
                "Tasa de extorsión por 100.000 habitantes: 17,6 (enero–julio 2023) → 21,9 "
                "(enero–julio 2024)",
                [],
            ),
            (
                "La confianza en la Policía cayó en julio",
                30,
                AgendaOrigin.PANEL,
                "Confianza en Policía Nacional: 44% → 29% (Wilcoxon, p corregida < 0,01)",
                [],
            ),
        ],
    )
    builder.agenda(upcoming, [("Apertura y acuerdos de cuidado", 15, AgendaOrigin.MANUAL, "", [])])
    extortion = Concern.objects.create(
        process=process,
        raised_in=community,
        title="Extorsión a comerciantes y transportadores",
        priority=Priority.HIGH,
    )
    Concern.objects.create(
        process=process,
        raised_in=community,
        title="Reclutamiento de jóvenes",
        priority=Priority.HIGH,
    )
    Concern.objects.create(
        process=process,
        raised_in=joint,
        title="Desconfianza en la Policía tras los operativos",
        priority=Priority.MEDIUM,
    )
    from convivencia.indicators.models import Indicator

    extortion.monitored_indicator = Indicator.objects.filter(code="extortion_rate").first()
    extortion.save(update_fields=["monitored_indicator"])
    # Updates posted on behalf of the Alcaldía: the demo has no Tumaco liaison account.
    route = builder.commitment(
        process,
        "T-01",
        "Ruta de denuncia anónima de extorsión con el GAULA",
        "Alcaldía Tumaco",
        due=builder.days(45),
        created=_date("2024-11-20"),
        made_in=joint,
        concern=extortion,
        verification="Ruta publicada y socializada en tres barrios",
    )
    builder.update(
        route,
        builder.days(-20),
        "in_progress",
        40,
        "Ruta diseñada con el GAULA; falta socializarla.",
        by=None,
        organisation="Alcaldía Tumaco",
    )
    council = builder.commitment(
        process,
        "T-02",
        "Consejo de seguridad con líderes cada trimestre",
        "Alcaldía Tumaco",
        due=builder.days(-20),
        created=_date("2024-08-28"),
        made_in=joint,
        verification="Actas de los consejos con la lista de líderes invitados",
    )
    builder.update(
        council,
        builder.days(-60),
        "delayed",
        10,
        "El primer consejo se aplazó por orden público.",
        by=None,
        organisation="Alcaldía Tumaco",
    )
    builder.propose_from_data(upcoming)
    return process


def build() -> None:
    popayan = Territory.objects.with_code("divipola", "19001").get()
    tumaco = Territory.objects.with_code("divipola", "52835").get()
    Process.objects.filter(territory__in=[popayan, tumaco], title__endswith=MARK).delete()
    builder = Builder(Cast.load(), demo_clock.today())
    build_popayan(builder, popayan)
    build_tumaco(builder, tumaco)
