"""Synthetic perception panels for the demo: fifty leaders in each demo municipality,
asked every month for two years with the default questionnaire.

The story below is told on the calendar of ``core.demo_clock.REFERENCE`` (waves 2023-01 to
2024-12); the waves are stored moved to today's calendar, so the last wave is this month's
and the one before it closed last month. The generator keeps reading the story's months
(``PanelAnswers.story_period``), so the story is the same whatever day the demo is loaded.

Every person here is invented: respondents are "Persona demo 17" with the phone
"+57 300 000 0017", and their attributes (sex, age band, leadership role, rural or
urban) are drawn from plausible mixes for each place. Answers come from a seeded
random generator, so every run gives the same panels.

The story matches the indicator and dialogue demos:

- in San Andrés de Tumaco (52835) trust in the police (B18) falls sharply after
  June 2024, as extortion climbs: the paired test flags the drop in 2024-07;
- in Popayán (19001) trust in the police slides during the first half of 2024 and
  recovers after the joint dialogue of September 2024: a flagged rise in 2024-10;
- everything else drifts mildly and is not flagged.

How the answers are made: each leader has a lasting view of each institution (the
place's level plus a personal offset). Each month most leaders give the answer they
gave the month before, as people on a panel do, and the others answer afresh around
the month's level. So slow drifts stay below the change tests, and only the story's
shocks (``SHOCKS``: a month in which everybody reconsiders) are flagged. Don't know
and no answer (88, 98) come up in a few percent of answers; a leader misses a
wave now and then; two or three leaders per panel leave and are replaced.

Answers go through the real validation path, ``collection.accept`` per wave (what a
KoBoToolbox file import does): an answer the questionnaire would refuse stops the
load, and the aggregates are kept exactly as in production.

Waves are written directly, opened and closed on their historical dates, not with
``services.open_wave``/``close_wave``: those would write audit entries for things
nobody did and send the provider digest for each of the ~400 closed months. The last
month stays open, with about two thirds of the answers in.

Safe to run again: a demo panel that already has waves is left as it is.
"""

from __future__ import annotations

import datetime
import math
import random
import zoneinfo
from bisect import bisect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Generic, TypeVar

from django.utils import timezone

from convivencia.accounts.models import User
from convivencia.core import demo_clock
from convivencia.panels import collection
from convivencia.panels.choices import (
    DONT_KNOW,
    NO_ANSWER,
    AgeBand,
    Area,
    LeaderRole,
    Sex,
    SubmissionSource,
    WaveStatus,
)
from convivencia.panels.collection import RawSubmission
from convivencia.panels.importers.xlsform import included_items
from convivencia.panels.models import Item, Panel, Respondent, Wave
from convivencia.panels.questionnaire_default import ensure_default_questionnaire
from convivencia.territories.models import Territory

PANEL_SIZE = 50
FIRST_PERIOD = datetime.date(2023, 1, 1)
WAVES = 24
SEED = 20230115
CODE_PREFIX = "demo-"
MARK = "(demo)"

# Most leaders repeat last month's answer; the rest answer afresh around the month's level.
STICKY = 0.8
# Personal spread around the place's level, and month-to-month noise, on a 0–1 scale of
# favourability (0 = least trusting or safe, 1 = most).
GENERAL_SPREAD = 0.10  # shared by a person's views of every state institution
ITEM_SPREAD = 0.08
NOISE = 0.06
# Leaders answer, and coordinators open and close waves, in Colombian working hours.
BOGOTA = zoneinfo.ZoneInfo("America/Bogota")
# Share of the members who have answered the open (last) wave so far.
OPEN_WAVE_RESPONSE = 0.65

T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed weighted choice, precomputed: rng.choices recomputes the sums on every call."""

    def __init__(self, weights: Mapping[T, float]) -> None:
        self.items = list(weights)
        self.cumulative = list(accumulate(weights.values()))

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


def month(first: datetime.date, offset: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + offset
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_since(start: datetime.date, period: datetime.date) -> int:
    return (period.year - start.year) * 12 + period.month - start.month


def periods(first: datetime.date = FIRST_PERIOD, count: int = WAVES) -> list[datetime.date]:
    return [month(first, offset) for offset in range(count)]


# --- places ------------------------------------------------------------------------------

# PROBLEMS codes of the default questionnaire.
ROBBERY, EXTORTION, ARMED_GROUPS, DRUGS, DOMESTIC, HOMICIDES, THREATS, RECRUITMENT, MINING = range(
    1, 10
)
OTHER_PROBLEM = 10

DEFAULT_ROLES: Mapping[str, float] = {
    LeaderRole.JAC: 0.42,
    LeaderRole.WOMEN: 0.13,
    LeaderRole.YOUTH: 0.08,
    LeaderRole.VICTIMS: 0.10,
    LeaderRole.RELIGIOUS: 0.07,
    LeaderRole.BUSINESS: 0.08,
    LeaderRole.AFRO: 0.04,
    LeaderRole.INDIGENOUS: 0.03,
    LeaderRole.OTHER: 0.05,
}
DEFAULT_PROBLEMS: Mapping[int, float] = {
    ROBBERY: 0.30,
    EXTORTION: 0.14,
    ARMED_GROUPS: 0.10,
    DRUGS: 0.20,
    DOMESTIC: 0.10,
    HOMICIDES: 0.06,
    THREATS: 0.04,
    RECRUITMENT: 0.02,
    MINING: 0.01,
    OTHER_PROBLEM: 0.03,
}


@dataclass(frozen=True)
class Place:
    """What differs between the demo municipalities."""

    divipola: str
    name: str
    local_provider: str = "Inspección de Policía"
    rural: float = 0.55  # share of leaders living in rural areas
    state_trust: float = 0.0  # added to the favourability of every state institution
    safety: float = 0.0  # added to the feeling of safety
    # Item-specific shifts of favourability, e.g. {"B18": 0.1}: a police trusted more here.
    levels: Mapping[str, float] = field(default_factory=dict)
    victims: float = 0.13  # monthly share answering yes to VIC1
    reporting: float = 0.27  # share of victims who reported (VIC1_REPORT yes)
    roles: Mapping[str, float] = field(default_factory=lambda: DEFAULT_ROLES)
    problems: Mapping[int, float] = field(default_factory=lambda: DEFAULT_PROBLEMS)


def _mix(base: Mapping[str, float], **changes: float) -> dict[str, float]:
    return {**base, **changes}


def _problems(**weights: float) -> dict[int, float]:
    names = {
        "robbery": ROBBERY,
        "extortion": EXTORTION,
        "armed_groups": ARMED_GROUPS,
        "drugs": DRUGS,
        "domestic": DOMESTIC,
        "homicides": HOMICIDES,
        "threats": THREATS,
        "recruitment": RECRUITMENT,
        "mining": MINING,
        "other": OTHER_PROBLEM,
    }
    mixed = dict(DEFAULT_PROBLEMS)
    mixed.update({names[name]: weight for name, weight in weights.items()})
    return mixed


# Keyword arguments of Place for each demo municipality (DIVIPOLA); the rest use defaults.
PLACES: dict[str, dict] = {
    "05001": {
        "rural": 0.10,
        "state_trust": 0.06,
        "safety": 0.04,
        "victims": 0.17,
        "problems": _problems(robbery=0.40, extortion=0.25, drugs=0.30, armed_groups=0.04),
    },
    "05045": {"rural": 0.40, "problems": _problems(extortion=0.25, armed_groups=0.20)},
    "05837": {
        "rural": 0.50,
        "state_trust": -0.03,
        "problems": _problems(armed_groups=0.25, drugs=0.25, extortion=0.20),
    },
    "05154": {
        "rural": 0.45,
        "state_trust": -0.03,
        "problems": _problems(mining=0.25, armed_groups=0.20, extortion=0.18),
    },
    "18001": {"rural": 0.30},
    "18753": {
        "rural": 0.70,
        "state_trust": -0.06,
        "safety": -0.05,
        "problems": _problems(armed_groups=0.30, extortion=0.22, threats=0.10, robbery=0.12),
    },
    "18150": {
        "rural": 0.75,
        "state_trust": -0.05,
        "problems": _problems(armed_groups=0.30, recruitment=0.10, robbery=0.08),
    },
    "19001": {
        "rural": 0.25,
        "state_trust": 0.03,
        "victims": 0.12,
        "local_provider": "Inspección de Policía de la Comuna 2",
        "problems": _problems(robbery=0.42, drugs=0.28, domestic=0.14),
    },
    "19698": {
        "rural": 0.50,
        "roles": _mix(DEFAULT_ROLES, afro=0.15, indigenous=0.12),
        "problems": _problems(armed_groups=0.22, homicides=0.12),
    },
    "19821": {
        "rural": 0.85,
        "state_trust": -0.10,
        "safety": -0.04,
        "local_provider": "Guardia Indígena",
        "roles": _mix(DEFAULT_ROLES, indigenous=0.55, jac=0.12, afro=0.0),
        "problems": _problems(
            armed_groups=0.35, recruitment=0.22, threats=0.20, robbery=0.05, drugs=0.10
        ),
    },
    "19256": {
        "rural": 0.75,
        "state_trust": -0.04,
        "problems": _problems(armed_groups=0.25, mining=0.12, drugs=0.18),
    },
    "52001": {"rural": 0.20, "state_trust": 0.04, "safety": 0.05, "victims": 0.11},
    # Before the story, Tumaco's police were trusted more than its other institutions.
    "52835": {
        "rural": 0.55,
        "state_trust": -0.04,
        "safety": -0.06,
        "victims": 0.16,
        "reporting": 0.22,
        "local_provider": "Consejo Comunitario",
        "levels": {"B18": 0.10},
        "roles": _mix(DEFAULT_ROLES, afro=0.45, jac=0.20, indigenous=0.04),
        "problems": _problems(
            extortion=0.30,
            armed_groups=0.34,
            homicides=0.15,
            drugs=0.14,
            recruitment=0.08,
            robbery=0.10,
        ),
    },
    "52356": {"rural": 0.40, "problems": _problems(robbery=0.25, drugs=0.22, extortion=0.12)},
    "54001": {
        "rural": 0.15,
        "victims": 0.16,
        "problems": _problems(robbery=0.35, extortion=0.25, drugs=0.22, armed_groups=0.10),
    },
    "54810": {
        "rural": 0.75,
        "state_trust": -0.08,
        "safety": -0.06,
        "victims": 0.15,
        "problems": _problems(
            armed_groups=0.38, extortion=0.22, recruitment=0.12, threats=0.12, robbery=0.05
        ),
    },
    "54498": {"rural": 0.35, "problems": _problems(armed_groups=0.14, extortion=0.18)},
}

# Favourability (0–1) of each scored item before the place's shifts and the story.
BASE_LEVELS: dict[str, float] = {
    "B18": 0.50,
    "B12": 0.54,
    "B10A": 0.38,
    "B32": 0.42,
    "PROSEC": 0.40,
    "JUDGES": 0.40,
    "LOCALPROV": 0.62,
    "AOJ11": 0.50,
    "AOJ12": 0.36,
    "UNSAFE_WALK": 0.55,
    "POLRESPECT": 0.55,
    "SAFER": 0.50,
    "ROADS": 0.46,
}
STATE_ITEMS = frozenset({"B18", "B12", "B10A", "B32", "PROSEC", "JUDGES", "AOJ12", "POLRESPECT"})
SAFETY_ITEMS = frozenset({"AOJ11", "UNSAFE_WALK", "SAFER", "ROADS"})
DRIFT = 0.03  # amplitude of the slow, unremarkable wander of every item

TUMACO, POPAYAN = "52835", "19001"
TUMACO_DROP = datetime.date(2024, 7, 1)
POPAYAN_SLIDE = datetime.date(2024, 1, 1)
POPAYAN_DIALOGUE = datetime.date(2024, 9, 1)  # the joint dialogue of 12 September 2024
POPAYAN_RECOVERY = month(POPAYAN_DIALOGUE, 1)  # the first wave after it
# (place, item, month): everybody reconsiders their answer that month.
SHOCKS = frozenset({(TUMACO, "B18", TUMACO_DROP), (POPAYAN, "B18", POPAYAN_RECOVERY)})


def story(divipola: str, code: str, period: datetime.date) -> float:
    """What the story adds to the favourability of an item in a place and month."""
    if divipola == TUMACO and period >= TUMACO_DROP:
        if code == "B18":  # a sharp fall, then a little further
            return -0.30 - min(months_since(TUMACO_DROP, period), 3) * 0.01
        if code == "POLRESPECT":
            return -0.08
        if code in SAFETY_ITEMS:
            return -0.06
    if divipola == POPAYAN and code == "B18":
        if period >= POPAYAN_RECOVERY:
            return 0.12
        if period >= POPAYAN_SLIDE:  # a slow slide through the first half of 2024
            return -0.02 * min(months_since(POPAYAN_SLIDE, period) + 1, 6)
    return 0.0


def problem_weights(place: Place, period: datetime.date) -> dict[int, float]:
    weights = dict(place.problems)
    if place.divipola == TUMACO and period >= TUMACO_DROP:
        weights[EXTORTION] *= 2.5  # extortion climbs (the indicator demo triples it)
    if place.divipola == POPAYAN and period >= POPAYAN_RECOVERY:
        weights[ROBBERY] *= 0.8
    return weights


def victim_share(place: Place, period: datetime.date) -> float:
    if place.divipola == TUMACO and period >= TUMACO_DROP:
        return place.victims + 0.05
    return place.victims


def reporting_share(place: Place, period: datetime.date) -> float:
    if place.divipola == TUMACO and period >= TUMACO_DROP:
        return place.reporting - 0.08  # fear: fewer victims report extortion
    return place.reporting


def demo_places() -> list[Place]:
    from convivencia.territories.demo import MUNICIPALITIES

    return [
        Place(divipola, name, **PLACES.get(divipola, {}))
        for divipola, name, _latitude, _longitude, _population in MUNICIPALITIES
    ]


# --- respondents -------------------------------------------------------------------------

SEXES = Weighted({Sex.FEMALE: 0.48, Sex.MALE: 0.50, Sex.OTHER: 0.02})
AGE_BANDS = Weighted(
    {
        AgeBand.AGE_18_29: 0.15,
        AgeBand.AGE_30_44: 0.32,
        AgeBand.AGE_45_59: 0.33,
        AgeBand.AGE_60_PLUS: 0.20,
    }
)
PROBLEM_COUNT = Weighted({1: 0.35, 2: 0.45, 3: 0.20})


@dataclass
class Member:
    """A planned respondent: who they are and how they tend to answer."""

    code: str
    number: int  # for the synthetic name and phone
    sex: str
    age_band: str
    role: str
    area: str
    general: float
    own: dict[str, float]
    absence: float  # chance of missing a wave
    missing: float  # chance of "don't know" / "no answer" on an item
    replaces: str = ""
    from_index: int | None = None  # first wave (index), for replacements
    until_index: int | None = None  # last wave (index), for those replaced

    @property
    def contact(self) -> dict[str, str]:
        return {"name": f"Persona demo {self.number}", "phone": f"+57 300 000 {self.number:04d}"}

    def member_in(self, index: int) -> bool:
        return not (
            (self.from_index is not None and index < self.from_index)
            or (self.until_index is not None and index > self.until_index)
        )


def _member(
    place: Place, rng: random.Random, code: str, number: int, roles: Weighted[str]
) -> Member:
    role = roles.pick(rng)
    rural = rng.random() < (0.9 if role == LeaderRole.INDIGENOUS else place.rural)
    return Member(
        code=code,
        number=number,
        sex=SEXES.pick(rng),
        age_band=AGE_BANDS.pick(rng),
        role=role,
        area=Area.RURAL if rural else Area.URBAN,
        general=rng.gauss(0, GENERAL_SPREAD),
        own={item_code: rng.gauss(0, ITEM_SPREAD) for item_code in BASE_LEVELS},
        # Most leaders answer nearly every month; about one in eight is hard to reach.
        absence=0.20 if rng.random() < 0.12 else 0.03,
        missing=0.10 if rng.random() < 0.10 else 0.025,
    )


def plan_members(
    place: Place,
    rng: random.Random,
    *,
    size: int = PANEL_SIZE,
    waves: int = WAVES,
    first_number: int = 1,
) -> list[Member]:
    """The panel's leaders, then two or three replacements (a leader leaves, another
    takes their place from a given wave)."""
    roles = Weighted(place.roles)
    members = [
        _member(place, rng, f"R{index:03d}", first_number + index - 1, roles)
        for index in range(1, size + 1)
    ]
    if waves < 8:  # too short to replace anyone
        return members
    leaving = rng.sample(members, rng.choice((2, 3)))
    for offset, old in enumerate(sorted(leaving, key=lambda member: member.code), start=1):
        start = rng.randrange(3, waves - 3)
        new = _member(place, rng, f"R{size + offset:03d}", first_number + size + offset - 1, roles)
        new.replaces = old.code
        new.from_index = start
        old.until_index = start - 1
        members.append(new)
    return members


# --- answers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemShape:
    """What the generator needs to know of an item."""

    code: str
    type: str
    scale_min: int | None
    scale_max: int | None
    reverse_coded: bool

    @classmethod
    def of(cls, item: Item) -> ItemShape:
        return cls(item.code, item.type, item.scale_min, item.scale_max, item.reverse_coded)


POLICE_TIME: dict[str, Weighted[int]] = {
    Area.URBAN: Weighted({1: 0.10, 2: 0.35, 3: 0.25, 4: 0.15, 5: 0.15}),
    Area.RURAL: Weighted({1: 0.02, 2: 0.10, 3: 0.20, 4: 0.33, 5: 0.35}),
}


class PanelAnswers:
    """The answers of one panel, wave after wave (each wave depends on the one before)."""

    def __init__(
        self,
        place: Place,
        members: Sequence[Member],
        items: Sequence[ItemShape],
        rng: random.Random,
        *,
        id_prefix: str,
    ) -> None:
        self.place = place
        self.members = members
        self.items = items
        self.rng = rng
        self.id_prefix = id_prefix
        self.last: dict[tuple[str, str], int] = {}
        self.phase = {item.code: rng.uniform(0, 2 * math.pi) for item in items}
        self.problem_choice: dict[datetime.date, Weighted[int]] = {}
        # Waves are stored on today's calendar; the story is told on the reference one.
        self.offset = demo_clock.months()

    def story_period(self, period: datetime.date) -> datetime.date:
        """The month of the story a stored wave's month stands for."""
        return month(period, -self.offset)

    def waves(
        self, months: Sequence[datetime.date], *, open_last: bool = True
    ) -> Iterator[tuple[datetime.date, list[RawSubmission]]]:
        for index, period in enumerate(months):
            is_open = open_last and index == len(months) - 1
            raws = []
            for member in self.members:
                if not member.member_in(index) or self.rng.random() < member.absence:
                    continue
                if is_open and self.rng.random() > OPEN_WAVE_RESPONSE:
                    continue  # not reached yet this month
                raws.append(
                    RawSubmission(
                        respondent_code=member.code,
                        values=self.values(member, index, self.story_period(period)),
                        instance_id=f"uuid:{self.id_prefix}-{period:%Y%m}-{member.code}",
                        submitted_at=self.submitted_at(period),
                    )
                )
            yield period, raws

    def submitted_at(self, period: datetime.date) -> datetime.datetime:
        moment = datetime.datetime.combine(
            period.replace(day=self.rng.randint(3, 26)),
            datetime.time(self.rng.randint(7, 18), self.rng.randint(0, 59)),
        )
        return timezone.make_aware(moment, BOGOTA)

    def level(self, code: str, index: int, period: datetime.date) -> float:
        level = BASE_LEVELS[code] + DRIFT * math.sin(2 * math.pi * index / 24 + self.phase[code])
        if code in STATE_ITEMS:
            level += self.place.state_trust
        if code in SAFETY_ITEMS:
            level += self.place.safety
        level += self.place.levels.get(code, 0.0)
        return level + story(self.place.divipola, code, period)

    def values(self, member: Member, index: int, period: datetime.date) -> dict[str, object]:
        values: dict[str, object] = {}
        for item in self.items:
            if item.code == "VIC1_REPORT":
                continue  # asked with VIC1
            if item.code == "VIC1":
                values.update(self.victimisation(member, period))
            elif item.code == "PROBLEMS":
                values[item.code] = self.problems(member, period)
            elif item.code == "POLTIME":
                values[item.code] = self.sticky(
                    member, item.code, False, lambda: POLICE_TIME[member.area].pick(self.rng)
                )
            elif item.code in BASE_LEVELS and item.scale_min is not None:
                values[item.code] = self.scale_answer(member, item, index, period)
            else:
                raise ValueError(f"the demo does not know how to answer {item.code}")
        return values

    def missing_code(self, member: Member) -> int | None:
        if self.rng.random() < member.missing:
            return DONT_KNOW if self.rng.random() < 0.75 else NO_ANSWER
        return None

    def sticky(self, member: Member, code: str, shock: bool, fresh) -> int:
        missing = self.missing_code(member)
        if missing is not None:
            return missing
        key = (member.code, code)
        previous = self.last.get(key)
        if previous is not None and not shock and self.rng.random() < STICKY:
            return previous
        value = fresh()
        self.last[key] = value
        return value

    def scale_answer(
        self, member: Member, item: ItemShape, index: int, period: datetime.date
    ) -> int:
        low, high = item.scale_min, item.scale_max
        assert low is not None and high is not None  # scale items only

        def fresh() -> int:
            favour = self.level(item.code, index, period) + member.own[item.code]
            if item.code in STATE_ITEMS:
                favour += member.general
            favour = min(1.0, max(0.0, favour + self.rng.gauss(0, NOISE)))
            score = round(low + favour * (high - low))
            # Reverse-coded items are asked with the favourable answer first.
            return low + high - score if item.reverse_coded else score

        shock = (self.place.divipola, item.code, period) in SHOCKS
        return self.sticky(member, item.code, shock, fresh)

    def victimisation(self, member: Member, period: datetime.date) -> dict[str, int]:
        if self.rng.random() < 0.01:
            return {"VIC1": DONT_KNOW}  # VIC1_REPORT is then not asked
        if self.rng.random() >= victim_share(self.place, period):
            return {"VIC1": 0}
        reported = self.rng.random() < reporting_share(self.place, period)
        return {"VIC1": 1, "VIC1_REPORT": NO_ANSWER if self.rng.random() < 0.03 else int(reported)}

    def problems(self, member: Member, period: datetime.date) -> str:
        if self.rng.random() < 0.02:
            return str(DONT_KNOW)
        choice = self.problem_choice.get(period)
        if choice is None:
            choice = self.problem_choice[period] = Weighted(problem_weights(self.place, period))
        chosen: set[int] = set()
        wanted = PROBLEM_COUNT.pick(self.rng)
        while len(chosen) < wanted:
            chosen.add(choice.pick(self.rng))
        # Space-separated, as KoBoToolbox exports a select_multiple.
        return " ".join(str(code) for code in sorted(chosen))


# --- the database ------------------------------------------------------------------------


def _when(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)), BOGOTA)


def create_respondents(
    panel: Panel, members: Sequence[Member], months: Sequence[datetime.date]
) -> None:
    """The planned members not yet in the panel; replacements recorded as the roster does
    (the successor ``replaces`` the leader, who stays inactive ``until_period``)."""
    existing = set(panel.respondents.values_list("code", flat=True))
    rows: dict[str, Respondent] = {}
    for member in members:
        if member.code in existing:
            continue
        respondent = Respondent(
            panel=panel,
            code=member.code,
            sex=member.sex,
            age_band=member.age_band,
            role=member.role,
            area=member.area,
            is_active=member.until_index is None,
            from_period=months[member.from_index] if member.from_index is not None else None,
            until_period=months[member.until_index] if member.until_index is not None else None,
        )
        respondent.contact = member.contact  # encrypted by the property
        rows[member.code] = respondent
    successors = {
        member.code: member.replaces
        for member in members
        if member.replaces and member.code in rows
    }
    # Those replaced first, so that their successors can point at them.
    Respondent.objects.bulk_create([row for code, row in rows.items() if code not in successors])
    by_code = {respondent.code: respondent for respondent in panel.respondents.all()}
    for code, replaced in successors.items():
        rows[code].replaces = by_code[replaced]
    Respondent.objects.bulk_create([rows[code] for code in successors])


def build_panel(
    place: Place,
    questionnaire,
    *,
    number: int,
    rng: random.Random,
    months: Sequence[datetime.date],
    size: int = PANEL_SIZE,
    territory: Territory | None = None,
    enumerator: User | None = None,
    source: str = SubmissionSource.FILE,
    open_last: bool = True,
) -> Panel | None:
    """One panel with its respondents and waves; None when it already has waves."""
    territory = territory or Territory.objects.with_code("divipola", place.divipola).get()
    panel, _created = Panel.objects.get_or_create(
        code=f"{CODE_PREFIX}{place.divipola}",
        defaults={
            "territory": territory,
            "questionnaire": questionnaire,
            "name": f"Panel de líderes de {place.name} {MARK}",
            "local_provider_name": place.local_provider,
        },
    )
    if panel.waves.exists():
        return None
    members = plan_members(place, rng, size=size, waves=len(months), first_number=number * 100 + 1)
    create_respondents(panel, members, months)
    waves = Wave.objects.bulk_create(
        Wave(panel=panel, period=period, status=WaveStatus.OPEN, opened_at=_when(period, 8))
        for period in months
    )
    items = [ItemShape.of(item) for item in included_items(questionnaire, panel)]
    answers = PanelAnswers(place, members, items, rng, id_prefix=panel.code)
    for wave, (_period, raws) in zip(
        waves, answers.waves(months, open_last=open_last), strict=True
    ):
        # All or nothing: a demo answer the questionnaire refuses is a bug (Refused).
        collection.accept(wave, raws, source, enumerator=enumerator)
    closing = waves[:-1] if open_last else waves
    for wave in closing:
        wave.status = WaveStatus.CLOSED
        wave.closed_at = _when(month(wave.period, 1) + datetime.timedelta(days=4), 17)
    Wave.objects.bulk_update(closing, ["status", "closed_at"])
    return panel


def build() -> None:
    """The demo's part of ``load_demo`` (registered in ``convivencia.demo.DEMO_BUILDERS``)."""
    questionnaire = ensure_default_questionnaire()
    # The Cauca panels are collected with ODK Collect by the demo enumerator.
    enumerator = User.objects.filter(username="encuestador.cauca").first()
    months = periods(demo_clock.shift(FIRST_PERIOD))
    for number, place in enumerate(demo_places(), start=1):
        in_cauca = place.divipola.startswith("19")
        build_panel(
            place,
            questionnaire,
            number=number,
            rng=random.Random(f"{SEED}-{place.divipola}"),
            months=months,
            enumerator=enumerator if in_cauca else None,
            source=SubmissionSource.OPENROSA if in_cauca else SubmissionSource.FILE,
        )
