from django.conf import settings
from django.http import HttpRequest

from convivencia.accounts import access
from convivencia.accounts.choices import Role
from convivencia.core.models import DemoDataset

FIELD_ROLES = {Role.ENUMERATOR.value, Role.COMMUNITY_LEADER.value}


def shell(request: HttpRequest) -> dict:
    """What every page's frame needs: the demo mark and the user's roles."""
    user_roles = access.roles(getattr(request, "user", None))
    return {
        "demo_data_loaded": DemoDataset.objects.exists(),
        "user_roles": user_roles,
        # Jobs and organisations are the back office's: people who only collect answers
        # or speak for their community never use them, so their menu leaves them out.
        "back_office": bool(user_roles - FIELD_ROLES),
        "unread_notifications": _unread(request),
        "languages": settings.LANGUAGES,
    }


def _unread(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return user.notifications.unread().count()
