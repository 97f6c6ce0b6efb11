"""Replace the explorer's data version when a population or territory changes.

Population and Territory belong to the territories app, which knows nothing of
the explorer's cache; connecting here keeps it so. The receivers run inside the
transaction of the save or delete, so the new token commits (or rolls back)
with the change itself. Rows added or removed in bulk send no signals: the
version's counts and top ids catch those (``caching.version``).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from convivencia.indicators import caching
from convivencia.territories.models import Population, Territory


@receiver(post_save, sender=Population, dispatch_uid="indicators-population-saved")
@receiver(post_delete, sender=Population, dispatch_uid="indicators-population-deleted")
@receiver(post_save, sender=Territory, dispatch_uid="indicators-territory-saved")
@receiver(post_delete, sender=Territory, dispatch_uid="indicators-territory-deleted")
def inputs_changed(sender: type, **kwargs: Any) -> None:
    # A rename changes the texts, a move the tree, a population every rate it divides.
    caching.bump()
