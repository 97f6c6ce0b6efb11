"""Which panel figures may be shown to someone who may not see small cells.

One module decides for every output — pages, the API, CSV/XLSX, the map, the
provider digest, the territory page, the dialogues board and the perception
comparison — because a rule applied in one place and forgotten in another is a
hole: whoever can read two outputs can subtract them.

The threat is arithmetic. ``all − female − male`` is the answers of whoever is
neither; the map's pooled municipality minus one of its panels is the other
panel; a year's sum minus eleven published months is the twelfth; a paired
change among 49 respondents next to two waves of 50 gives the fiftieth's answer.
So the guarantee is stated over combinations, not cells:

    no linear combination of the figures one person can obtain describes
    between 1 and k − 1 respondents (k = MIN_CELL_SIZE), nor between 1 and
    k − 1 answers.

How each family of outputs keeps it:

- **Breakdowns of one wave and item** (the "all" cell and every group of every
  attribute) are decided together by :func:`breakdown_rule`, whatever breakdown
  was asked for. The published cells cut the respondents into *atoms*: people
  who belong to exactly the same published cells. Every combination of cells is
  constant on atoms, so if every atom holds at least k respondents asked the item
  and either no answer or at least k answers, no combination can single out fewer.
  Groups are published attribute by attribute; a group that would leave a small
  atom is withheld, and then the smallest remaining group of that attribute too
  (complementary suppression), until every atom is large enough.
- **Sums of parts published elsewhere** (panels pooled in one territory, waves
  summed over a year) are published only when the parts withheld elsewhere add up
  to none or at least k: :func:`sum_publishable`.
- **Paired changes** are published only when the respondents left out of the pairs,
  in either wave, are none or at least k: :func:`change_publishable`.
- **An open wave** still receives answers; two looks at it an hour apart would
  difference one new submission. Its figures are for those who see small cells.
- A withheld cell shows no count either: :func:`withhold` clears ``n`` too.

Coordinators of a panel's territory see everything: they run the panel and hold
its respondent-level file already. ``docs/security.md`` gives the threat model.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from convivencia.panels.analysis import ItemResult
    from convivencia.panels.models import Wave

# The attributes of a breakdown, in the order their groups are considered: the order
# is fixed so the decision never depends on which breakdown a person asked for.
ATTRIBUTES = ("sex", "age_band", "role", "area")

# A respondent as the rule sees them: their attribute values (blank when not recorded,
# in ATTRIBUTES order) and whether their answer to the item counts in n (not 88/98).
Person = tuple[tuple[str, ...], bool]


def threshold() -> int:
    return settings.MIN_CELL_SIZE


def _small(size: int, k: int) -> bool:
    return 0 < size < k


def sum_publishable(total: int, parts: Iterable[int], k: int | None = None) -> bool:
    """Whether a sum of cells that are each published elsewhere may be published.

    The parts withheld elsewhere (fewer than k answers) must add up to none or to
    at least k: otherwise the sum minus the published parts is a small group.
    """
    k = threshold() if k is None else k
    if total < k:
        return False
    return not _small(sum(part for part in parts if _small(part, k)), k)


def change_publishable(n_pairs: int, n_now: int, n_before: int, k: int | None = None) -> bool:
    """A paired change among ``n_pairs`` respondents, beside the two waves' whole cells.

    The change's mean is the current wave's mean over the pairs minus the previous
    one's; with the whole waves published, the respondents outside the pairs are
    one subtraction away. They must be none or at least k, in both waves.
    """
    k = threshold() if k is None else k
    if n_pairs < k:
        return False
    return not (_small(n_now - n_pairs, k) or _small(n_before - n_pairs, k))


def _atoms_safe(people: Sequence[Person], published: Mapping[int, set[str]], k: int) -> bool:
    """Every atom (people alike on every published group) is large enough."""
    asked: Counter[tuple[Any, ...]] = Counter()
    answered: Counter[tuple[Any, ...]] = Counter()
    for values, has_answer in people:
        atom = tuple(
            values[index] if values[index] in groups else None
            for index, groups in published.items()
        )
        asked[atom] += 1
        answered[atom] += has_answer
    return all(asked[atom] >= k and not _small(answered[atom], k) for atom in asked)


def breakdown_rule(people: Sequence[Person], k: int | None = None) -> set[str]:
    """The cells of one item in one wave that may be published: "all" and group keys.

    ``people``: everyone asked the item in the wave. See the module's docstring for
    why atoms, and why every attribute is decided here at once.
    """
    k = threshold() if k is None else k
    answers = sum(has_answer for _values, has_answer in people)
    if len(people) < k or answers < k:
        return set()
    published: dict[int, set[str]] = {}
    for index, _attribute in enumerate(ATTRIBUTES):
        sizes = Counter(
            values[index] for values, has_answer in people if has_answer and values[index]
        )
        # Primary suppression: a group with fewer than k answers is never a candidate.
        candidates = {value for value, size in sizes.items() if size >= k}
        while candidates and not _atoms_safe(people, {**published, index: candidates}, k):
            # Complementary suppression: withhold the smallest group still shown.
            candidates.discard(min(candidates, key=lambda value: (sizes[value], value)))
        if candidates:
            published[index] = candidates
    keys = {"all"}
    for index, groups in published.items():
        keys.update(f"{ATTRIBUTES[index]}:{value}" for value in groups)
    return keys


def people_by_item(waves: Sequence[Wave]) -> dict[tuple[int, str], list[Person]]:
    """{(wave id, item code): the people asked it}, from the raw answers of the waves.

    About fifty submissions a wave: this is read only when a breakdown is shown.
    """
    from convivencia.panels.models import Answer

    rows = Answer.objects.filter(submission__wave_id__in=[wave.pk for wave in waves]).values_list(
        "submission__wave_id",
        "submission_id",
        "item__code",
        "missing",
        "submission__respondent__sex",
        "submission__respondent__age_band",
        "submission__respondent__role",
        "submission__respondent__area",
    )
    # Multiple choice has one row per option: a person is counted once per item.
    seen: dict[tuple[int, str, int], list[Any]] = {}
    for wave_id, submission_id, code, missing, *values in rows:
        key = (wave_id, code, submission_id)
        person = seen.get(key)
        if person is None:
            seen[key] = [tuple(values), missing is None]
        elif missing is None:
            person[1] = True
    people: dict[tuple[int, str], list[Person]] = defaultdict(list)
    for (wave_id, code, _submission), (values, has_answer) in seen.items():
        people[(wave_id, code)].append((values, has_answer))
    return people


def publishable_breakdowns(
    waves: Sequence[Wave], k: int | None = None
) -> dict[tuple[int, str], set[str]]:
    """:func:`breakdown_rule` for every item of every wave given."""
    return {key: breakdown_rule(people, k) for key, people in people_by_item(waves).items()}


def withhold(result: ItemResult) -> ItemResult:
    """Clear every figure of a result, its counts included."""
    result.suppressed = True
    result.n = None
    result.n_missing = None
    result.counts = None
    for name in (
        "pct_trust",
        "pct_trust_ci_low",
        "pct_trust_ci_high",
        "mean_0_100",
        "mean_ci_low",
        "mean_ci_high",
    ):
        setattr(result, name, None)
    return result


def protect(
    results: Mapping[int, Mapping[str, ItemResult]], waves: Sequence[Wave], breakdown: str
) -> None:
    """Withhold, in place, what someone who may not see small cells must not get from
    ``{wave id: {item code: result}}``: an open wave's figures, and a group's cells where
    :func:`breakdown_rule` keeps them back. Primary suppression (fewer than k answers)
    is already done by ``analysis.result_from``."""
    open_waves = {wave.pk for wave in waves if wave.is_open}
    allowed: dict[tuple[int, str], set[str]] = {}
    if breakdown != "all":
        allowed = publishable_breakdowns([wave for wave in waves if wave.pk not in open_waves])
    for wave_id, by_code in results.items():
        for code, result in by_code.items():
            if result.suppressed:
                continue
            if wave_id in open_waves or (
                breakdown != "all" and breakdown not in allowed.get((wave_id, code), ())
            ):
                withhold(result)
