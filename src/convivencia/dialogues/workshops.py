"""Workshops: did the participants learn? Pre- and post-test scores of the same people.

The change is the mean of each person's post-score minus their pre-score; with two
or more people the paired t-test (scipy's ``ttest_rel``) says whether it is larger
than chance would give. People without both scores are left out: an unpaired score
says nothing about change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.dialogues import services
from convivencia.dialogues.models import Participation, Session


@dataclass
class ScoreChange:
    n: int
    mean_pre: float
    mean_post: float
    mean_change: float
    t: float | None = None
    p_value: float | None = None


def score_change(session: Session) -> ScoreChange | None:
    """None when nobody has both scores."""
    pairs = [
        (float(pre), float(post))
        for pre, post in session.participations.filter(
            pre_score__isnull=False, post_score__isnull=False
        ).values_list("pre_score", "post_score")
        if pre is not None and post is not None  # as filtered; the checker cannot see it
    ]
    if not pairs:
        return None
    pre = [before for before, _after in pairs]
    post = [after for _before, after in pairs]
    n = len(pairs)
    result = ScoreChange(
        n=n,
        mean_pre=sum(pre) / n,
        mean_post=sum(post) / n,
        mean_change=sum(b - a for a, b in pairs) / n,
    )
    if n >= 2:
        from scipy import stats

        test = stats.ttest_rel(post, pre)
        # Identical differences have no variance: the test is undefined, not "p = nan".
        if not math.isnan(test.pvalue):
            result.t, result.p_value = float(test.statistic), float(test.pvalue)
    return result


@transaction.atomic
def record_scores(
    participation: Participation, actor, *, pre: Decimal | None, post: Decimal | None
) -> Participation:
    if not services.can_run(actor, participation.session.process):
        raise PermissionDenied
    before = {"pre_score": participation.pre_score, "post_score": participation.post_score}
    participation.pre_score, participation.post_score = pre, post
    participation.full_clean(exclude=["session", "user", "organisation"])
    participation.save(update_fields=["pre_score", "post_score"])
    changes = audit.diff(
        {key: str(value) if value is not None else None for key, value in before.items()},
        {
            "pre_score": str(pre) if pre is not None else None,
            "post_score": str(post) if post is not None else None,
        },
    )
    audit.record(AuditAction.UPDATE, participation, actor=actor, changes=changes)
    return participation
