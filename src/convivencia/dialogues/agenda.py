"""The agenda of a session, and agenda items proposed from the data.

When a facilitator prepares a session, ``propose`` adds items with status
"proposed", each with where it comes from (``origin``) and the figure behind it
(``evidence``), largest problems first:

1. **Panel**: for each perception panel of the process's territory (or below it),
   the last two closed waves before the session are compared with
   ``panels.analysis.compare``; trust items whose paired change is flagged
   (Benjamini–Hochberg corrected p < 0.05) and negative are proposed, the largest
   drop first, e.g.
   "Trust in National Police: 62% → 41% (Wilcoxon, corrected p = 0.01)".
   Changes among fewer than MIN_CELL_SIZE pairs are left out, because agenda items
   are shown to everyone who sees the session.
2. **Community concerns**: the problems most named in the panel's PROBLEMS item in
   the latest closed wave before the session (from the aggregates), and the open
   concerns of the process by the Borda count of every ballot cast in its sessions.
3. **Indicators**: the homicide and extortion rates of the territory for this year
   so far (up to the last month with data before the session) against the same
   months of last year (``indicators.rates.compute``), when
   both exist and moved by at least INDICATOR_CHANGE.

Every figure says how old it is when the session meets ("wave 2026-11, 1 month before
the session"; "data up to 2026-09, 3 months before the session"), and a figure older than
STALE_MONTHS says so: a room should not argue over last year's numbers unaware.

Nothing is proposed twice: an item with the same origin and title already on the
agenda (accepted, proposed or discarded) is not added again. The facilitator then
accepts, edits or discards each proposal.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.dialogues import priorities, services
from convivencia.dialogues.choices import AgendaOrigin, Priority, ProposalStatus
from convivencia.dialogues.models import AgendaItem, Process, Session
from convivencia.territories.models import Territory

PANEL_MINUTES = 20
CONCERN_MINUTES = 15
INDICATOR_MINUTES = 15
TOP_PROBLEMS = 3
TOP_CONCERNS = 3
INDICATORS = ("homicide_rate", "extortion_rate")
INDICATOR_CHANGE = 0.10  # a relative change of 10 % or more is worth the room's time
TEST_NAMES = {"wilcoxon": "Wilcoxon", "mcnemar": "McNemar"}
EVIDENCE_LENGTH = AgendaItem._meta.get_field("evidence").max_length or 300
PRIORITY_ORDER: dict[str, int] = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}
STALE_MONTHS = 3  # older than this, a figure is flagged as old


@dataclass
class Proposal:
    origin: str
    title: str
    evidence: str
    description: str = ""
    minutes: int = 15


def _percent(value: float) -> str:
    return f"{round(value)}%"


def _p_value(p: float) -> str:
    """ "corrected p = 0,03" in the reader's locale; below 0.01 as "corrected p < 0,01"."""
    if p < 0.01:
        return _("corrected p < %(p)s") % {"p": formats.number_format(0.01, 2)}
    return _("corrected p = %(p)s") % {"p": formats.number_format(p, 2)}


def months_before(period: datetime.date, session_day: datetime.date) -> int:
    """Whole calendar months from a figure's month to the session's (0: the same month)."""
    return (session_day.year - period.year) * 12 + session_day.month - period.month


def _stale(months: int) -> str:
    if months <= STALE_MONTHS:
        return ""
    return "; " + _("older than three months: look for newer figures before citing it")


def wave_age(label: str, period: datetime.date, session_day: datetime.date) -> str:
    """ "wave 2026-11, 1 month before the session", and a warning when it is old."""
    months = months_before(period, session_day)
    text = ngettext(
        "wave %(wave)s, %(count)s month before the session",
        "wave %(wave)s, %(count)s months before the session",
        months,
    ) % {"wave": label, "count": months}
    return text + _stale(months)


def data_age(last_day: datetime.date, session_day: datetime.date) -> str:
    """ "data up to 2026-09, 3 months before the session", and a warning when it is old."""
    months = months_before(last_day, session_day)
    text = ngettext(
        "data up to %(month)s, %(count)s month before the session",
        "data up to %(month)s, %(count)s months before the session",
        months,
    ) % {"month": f"{last_day:%Y-%m}", "count": months}
    return text + _stale(months)


def _short(text: str) -> str:
    return text if len(text) <= EVIDENCE_LENGTH else text[: EVIDENCE_LENGTH - 1] + "…"


# 1. Perception panels


def _latest_closed_pair(panel, before: datetime.date):
    """The last two closed waves with answers of the months before the session's: a session
    is prepared with what was known by then (the session's own month is still collecting)."""
    from convivencia.panels import charts

    month = before.replace(day=1)
    waves = [wave for wave in charts.waves_of(panel, closed_only=True) if wave.period < month]
    return charts.latest_pair(waves)


def panel_proposals(territory: Territory, before: datetime.date) -> list[Proposal]:
    from convivencia.panels import analysis, charts
    from convivencia.panels.models import Panel

    found: list[tuple[float, Proposal]] = []
    panels = (
        Panel.objects.filter(territory__path__startswith=territory.path)
        .select_related("questionnaire", "territory")
        .order_by("code")
    )
    for panel in panels:
        wave, previous = _latest_closed_pair(panel, before)
        if wave is None or previous is None:
            continue
        items = charts.items_by_code(panel)
        primary = {item.code for item in charts.trust_items(items, primary_only=True)}
        results = charts.results_by_wave([previous, wave], reveal_small=False)
        for change in analysis.compare(wave, previous):
            item = items.get(change.item)
            now = results[wave.pk].get(change.item)
            # Not "before": that is the session's date, needed again for the next panel.
            earlier = results[previous.pk].get(change.item)
            if item is None or not item.provider or not change.flagged:
                continue
            if now is None or earlier is None:  # a flagged change has both waves' results
                continue
            shown = charts.visible_change(change, now, earlier, False)
            if shown is None:
                continue
            drop = shown.pct_trust_change
            if drop is None:
                drop = shown.mean_change_0_100
            if drop is None or drop >= 0:
                continue
            provider = charts.provider_label(item.provider, panel)
            label = (
                _("Trust in %(provider)s") % {"provider": provider}
                if item.code in primary
                else charts.item_text(item, panel)
            )
            if now.pct_trust is not None and earlier.pct_trust is not None:
                figures = f"{_percent(earlier.pct_trust)} → {_percent(now.pct_trust)}"
            else:
                figures = _("score %(before)s → %(after)s") % {
                    "before": round(earlier.mean_0_100 or 0),
                    "after": round(now.mean_0_100 or 0),
                }
            evidence = _("%(label)s: %(figures)s (%(test)s, %(p)s); %(age)s") % {
                "age": wave_age(wave.label, wave.period, before),
                "label": label,
                "figures": figures,
                "test": TEST_NAMES.get(shown.test, shown.test),
                # Flagged means a corrected p below 0.05; where its figure is withheld
                # (charts.visible_change) that bound is what can be said.
                "p": _p_value(shown.p_adjusted)
                if shown.p_adjusted is not None
                else _("corrected p < %(p)s") % {"p": formats.number_format(0.05, 2)},
            }
            found.append(
                (
                    drop,
                    Proposal(
                        origin=AgendaOrigin.PANEL,
                        title=_("Trust in %(provider)s fell: what happened, and what will change?")
                        % {"provider": provider},
                        evidence=_short(evidence),
                        description=_(
                            "Perception panel %(panel)s, waves %(previous)s → %(wave)s: "
                            "%(pairs)s leaders answered both."
                        )
                        % {
                            "panel": panel,
                            "previous": previous.label,
                            "wave": wave.label,
                            "pairs": shown.n_pairs,
                        },
                        minutes=PANEL_MINUTES,
                    ),
                )
            )
    found.sort(key=lambda pair: pair[0])  # the largest drop first
    return [proposal for _drop, proposal in found]


# 2. Community concerns


def problem_proposals(territory: Territory, before: datetime.date) -> list[Proposal]:
    """The problems most named in each panel's latest closed wave: in the PROBLEMS item, or
    in the questions a form made elsewhere marks as concerns (``charts.concern_items``)."""
    from convivencia.panels import charts
    from convivencia.panels.models import Panel

    proposals = []
    panels = (
        Panel.objects.filter(territory__path__startswith=territory.path)
        .select_related("questionnaire")
        .order_by("code")
    )
    for panel in panels:
        wave, _previous = _latest_closed_pair(panel, before)
        if wave is None:
            continue
        items = charts.items_by_code(panel)
        results = charts.results_by_wave([wave], reveal_small=False)[wave.pk]
        for concern in charts.top_concerns(panel, items, results, limit=TOP_PROBLEMS):
            proposals.append(
                Proposal(
                    origin=AgendaOrigin.CONCERN,
                    title=_("Community concern: %(problem)s") % {"problem": concern.label},
                    evidence=_short(
                        _(
                            "%(problem)s: named by %(count)s of %(n)s panel members (%(share)s), "
                            "%(age)s"
                        )
                        % {
                            "problem": concern.label,
                            "count": concern.count,
                            "n": concern.n,
                            "share": _percent(concern.share),
                            "age": wave_age(wave.label, wave.period, before),
                        }
                    ),
                    description=_("Perception panel %(panel)s.") % {"panel": panel},
                    minutes=CONCERN_MINUTES,
                )
            )
    return proposals


def concern_is_open(concern) -> bool:
    """Still needing work: no commitment answers it yet, or one of them is still open."""
    statuses = [commitment.status for commitment in concern.commitments.all()]
    return not statuses or any(not status.is_final for status in statuses)


def concern_proposals(process: Process) -> list[Proposal]:
    """Open concerns of the process, by the Borda count of its ballots, then priority."""
    standings = [
        standing
        for standing in priorities.process_standings(process)
        if concern_is_open(standing.concern)
    ]
    standings.sort(
        key=lambda s: (-s.points, PRIORITY_ORDER.get(s.concern.priority, 9), s.concern.title)
    )
    proposals = []
    for standing in standings[:TOP_CONCERNS]:
        concern = standing.concern
        if standing.ballots:
            evidence = _(
                "%(points)s Borda points from %(ballots)s ballots; priority: %(priority)s"
            ) % {
                "points": standing.points,
                "ballots": standing.ballots,
                "priority": concern.get_priority_display(),
            }
        else:
            evidence = _("Priority: %(priority)s; not ranked yet") % {
                "priority": concern.get_priority_display()
            }
        proposals.append(
            Proposal(
                origin=AgendaOrigin.CONCERN,
                title=_("Open concern: %(title)s") % {"title": concern.title},
                evidence=_short(evidence),
                description=concern.evidence[:1000],
                minutes=CONCERN_MINUTES,
            )
        )
    return proposals


# 3. Official indicators


@dataclass
class IndicatorChange:
    indicator: object
    before: float
    after: float
    before_span: str
    after_span: str
    last_day: datetime.date
    warnings: list[str] = field(default_factory=list)

    @property
    def relative(self) -> float:
        return (self.after - self.before) / self.before


def _span(year: int, last_month: int):
    """January to ``last_month`` of ``year`` as a period ``rates.compute`` can count.

    A whole year is its own period code; a part of a year has none, so a Period is
    built for it (compute sums the months inside it and uses that year's population).
    """
    from convivencia.indicators.periods import Period, parse

    if last_month == 12:
        return parse(str(year))
    last_day = calendar.monthrange(year, last_month)[1]
    return Period(
        code=f"{year}-01/{year}-{last_month:02d}",
        type="span",
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, last_month, last_day),
    )


def indicator_changes(territory: Territory, before: datetime.date) -> list[IndicatorChange]:
    """This year so far (up to the last month with data before ``before``) against the
    same months of last year, for the homicide and extortion rates."""
    from convivencia.indicators import rates
    from convivencia.indicators.models import Indicator, Total
    from convivencia.indicators.periods import describe_span

    changes = []
    for indicator in Indicator.objects.filter(code__in=INDICATORS).select_related("numerator"):
        latest = Total.objects.filter(
            element_id=indicator.numerator_id,
            territory__path__startswith=territory.path,
            end__lt=before,
        ).aggregate(end=Max("end"))["end"]
        if latest is None:
            continue
        this_year = _span(latest.year, latest.month)
        last_year = _span(latest.year - 1, latest.month)
        now = rates.compute(indicator, territory, this_year)
        then = rates.compute(indicator, territory, last_year)
        if now.value is None or then.value is None or not then.value:
            continue
        changes.append(
            IndicatorChange(
                indicator=indicator,
                before=then.value,
                after=now.value,
                before_span=describe_span(last_year),
                after_span=describe_span(this_year),
                last_day=latest,
                warnings=[*then.warnings, *now.warnings],
            )
        )
    return changes


def indicator_proposals(territory: Territory, before: datetime.date) -> list[Proposal]:
    """Rates that moved by INDICATOR_CHANGE or more; ``before`` is the session's day."""
    proposals = []
    for change in indicator_changes(territory, before):
        if abs(change.relative) < INDICATOR_CHANGE:
            continue
        percent = round(abs(change.relative) * 100)
        if change.relative > 0:
            title = _("%(indicator)s rose by %(change)s%%")
        else:
            title = _("%(indicator)s fell by %(change)s%%")
        name = str(change.indicator)
        evidence = _(
            "%(indicator)s: %(before)s (%(before_span)s) → %(after)s (%(after_span)s); %(age)s"
        ) % {
            "age": data_age(change.last_day, before),
            "indicator": name,
            "before": formats.number_format(change.before, 1),
            "before_span": change.before_span,
            "after": formats.number_format(change.after, 1),
            "after_span": change.after_span,
        }
        proposals.append(
            Proposal(
                origin=AgendaOrigin.INDICATOR,
                title=title % {"indicator": name, "change": percent},
                evidence=_short(evidence),
                description=" ".join(change.warnings)[:1000],
                minutes=INDICATOR_MINUTES,
            )
        )
    proposals.sort(key=lambda proposal: proposal.title)
    return proposals


def proposals(session: Session) -> list[Proposal]:
    """Everything the data suggests for this session, in the order it will be proposed."""
    territory = session.process.territory
    before = timezone.localdate(session.starts_at)
    return [
        *panel_proposals(territory, before),
        *problem_proposals(territory, before),
        *concern_proposals(session.process),
        *indicator_proposals(territory, before),
    ]


@transaction.atomic
def propose(session: Session, actor) -> list[AgendaItem]:
    """Add the data's proposals to the agenda (status "proposed"); returns the new ones."""
    if not services.can_run(actor, session.process):
        raise PermissionDenied
    already = set(session.agenda.values_list("origin", "title"))
    position = (session.agenda.aggregate(last=Max("position"))["last"] or 0) + 1
    added = []
    for proposal in proposals(session):
        if (proposal.origin, proposal.title) in already:
            continue
        already.add((proposal.origin, proposal.title))
        added.append(
            AgendaItem.objects.create(
                session=session,
                position=position,
                title=proposal.title[:300],
                description=proposal.description,
                duration_minutes=proposal.minutes,
                origin=proposal.origin,
                evidence=proposal.evidence,
                status=ProposalStatus.PROPOSED,
            )
        )
        position += 1
    if added:
        audit.record(
            AuditAction.UPDATE,
            session,
            actor=actor,
            changes={"agenda_proposed": [item.title for item in added]},
        )
    return added


@transaction.atomic
def decide(item: AgendaItem, actor, status: str) -> AgendaItem:
    """Accept or discard a proposal (or restore a discarded one as proposed)."""
    if not services.can_run(actor, item.session.process):
        raise PermissionDenied
    before = item.status
    if status == before:
        return item
    item.status = status
    fields = ["status"]
    if status == ProposalStatus.ACCEPTED:
        # An accepted proposal goes after what the facilitator already planned.
        last = item.session.agenda.filter(status=ProposalStatus.ACCEPTED).aggregate(
            last=Max("position")
        )["last"]
        item.position = (last or 0) + 1
        fields.append("position")
    item.save(update_fields=fields)
    audit.record(AuditAction.UPDATE, item, actor=actor, changes={"status": [before, status]})
    return item


# The agenda as a tree


@dataclass
class Node:
    item: AgendaItem
    children: list[Node]
    minutes: int
    depth: int = 0


def tree(
    session: Session, statuses: tuple[str, ...] = (ProposalStatus.ACCEPTED,)
) -> tuple[list[Node], int]:
    """The items as nested nodes, and the total minutes.

    A point with sub-points lasts as long as its sub-points together; a point without
    them lasts its own duration. Sub-points of an item not shown are shown at the top.
    """
    items = list(session.agenda.filter(status__in=statuses).order_by("position", "pk"))
    shown = {item.pk for item in items}
    children: dict[int | None, list[AgendaItem]] = defaultdict(list)
    for item in items:
        parent = item.parent_id if item.parent_id in shown else None
        children[parent].append(item)

    def build(item: AgendaItem, depth: int) -> Node:
        nodes = [build(child, depth + 1) for child in children.get(item.pk, [])]
        minutes = sum(node.minutes for node in nodes) if nodes else item.duration_minutes
        return Node(item=item, children=nodes, minutes=minutes, depth=depth)

    roots = [build(item, 0) for item in children.get(None, [])]
    return roots, sum(node.minutes for node in roots)


def flatten(nodes: list[Node]) -> list[Node]:
    """Depth-first, for templates that render one list with indentation."""
    flat: list[Node] = []
    for node in nodes:
        flat.append(node)
        flat.extend(flatten(node.children))
    return flat
