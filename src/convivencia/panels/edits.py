"""Edits of a stored submission, as ODK Collect and Enketo send them.

An edited instance carries a new ``meta/instanceID`` and, in ``meta/deprecatedID``,
the instanceID of the version it replaces (OpenRosa; ODK Central keeps each
version). ``replace`` keeps the submission's place — its wave, whichever month
the edit was saved in — stores the replaced version in ``SubmissionEdit`` (its
answers and raw values as they were), and checks the new version through the
one validation path (``collection.validate``), all in one transaction: a refused
edit leaves the earlier version as it was. The wave's aggregates are then
recomputed once from its answers, so the replaced answers count no more.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from convivencia.accounts import audit
from convivencia.accounts.choices import AuditAction
from convivencia.panels import aggregates, collection
from convivencia.panels.models import Panel, Submission, SubmissionEdit, Wave


class EditRefused(Exception):
    """The edit cannot replace the submission it names; the message says why."""


def replaced_by(instance_id: str, panel: Panel | None = None) -> str | None:
    """The instanceID that replaced this one (in the panel's waves, if given), when an
    edit did; None otherwise."""
    edits = SubmissionEdit.objects.filter(instance_id=instance_id)
    if panel is not None:
        edits = edits.filter(wave__panel=panel)
    return edits.values_list("replaced_by", flat=True).first()


def history(submission: Submission) -> list[SubmissionEdit]:
    """The versions a submission replaced, oldest first (each names its successor)."""
    chain: list[SubmissionEdit] = []
    wanted = submission.instance_id
    edits = {
        edit.replaced_by: edit
        for edit in SubmissionEdit.objects.filter(
            wave_id=submission.wave_id, respondent_id=submission.respondent_id
        )
    }
    while wanted in edits:
        edit = edits.pop(wanted)
        chain.append(edit)
        wanted = edit.instance_id
    return list(reversed(chain))


def replace(
    panel: Panel,
    deprecated_id: str,
    raw: collection.RawSubmission,
    source: str,
    *,
    enumerator=None,
) -> tuple[Submission, Wave]:
    """Replace the submission ``deprecated_id`` names, in one of the panel's waves, with
    ``raw`` (another panel's submission is as unknown here as one never received).

    Raises EditRefused (unknown or already replaced submission, closed wave) or
    collection.Refused (the new version's problems); nothing changes then.
    """
    with transaction.atomic():
        old = (
            Submission.objects.select_related("wave")
            .filter(instance_id=deprecated_id, wave__panel=panel)
            .only("pk", "wave_id", "instance_id")
            .first()
        )
        if old is None:
            successor = replaced_by(deprecated_id, panel)
            raise EditRefused(
                _(
                    "This edit replaces submission %(old)s, which an earlier edit (%(new)s) "
                    "already replaced: edit the latest version."
                )
                % {"old": deprecated_id, "new": successor}
                if successor
                else _("This edit replaces submission %(old)s, which this server does not have.")
                % {"old": deprecated_id}
            )
        wave = (
            Wave.objects.select_for_update(of=("self",))  # not the shared questionnaire
            .select_related("panel__questionnaire")
            .get(pk=old.wave_id)
        )
        if not wave.is_open:
            raise EditRefused(
                _("Wave %(wave)s is closed: its submissions can no longer be edited.")
                % {"wave": wave.label}
            )
        old = Submission.objects.select_for_update().get(pk=old.pk)
        answers = [
            list(row)
            for row in old.answers.order_by("pk").values_list(
                "item__code", "number", "missing", "text"
            )
        ]
        edit = SubmissionEdit.objects.create(
            wave=wave,
            respondent_id=old.respondent_id,
            instance_id=old.instance_id,
            replaced_by=raw.instance_id,
            source=old.source,
            submitted_at=old.submitted_at,
            received_at=old.received_at,
            enumerator_id=old.enumerator_id,
            answers=answers,
            raw_values=old.raw_values,
            edited_by=enumerator,
        )
        old.delete()  # its answers go with it; the edit row keeps them
        checked = collection.validate(wave, [raw])
        if checked.rejected or not checked.accepted:
            raise collection.Refused(checked)
        collection.store(wave, checked.accepted, source, enumerator)
        # store() added the new answers to sums that still held the old ones: the
        # wave is recomputed once from its answers, in the same transaction.
        aggregates.rebuild([wave])
        new = Submission.objects.get(instance_id=raw.instance_id)
        audit.record(
            AuditAction.UPDATE,
            new,
            actor=enumerator,
            changes={"replaces": edit.instance_id, "instance_id": new.instance_id},
        )
    return new, wave
