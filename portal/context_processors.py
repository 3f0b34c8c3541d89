"""What every page's navigation needs: the unread count and the user's roles."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_key": "-"}
    from portal import selectors

    enterprises = SimpleLazyObject(lambda: selectors.organizations_for_hr(user=user).exists())

    def key() -> str:
        """What the menus depend on, for the cached fragment: the roles (and, for HR, whether one of
        their organizations is an enterprise)."""
        roles = user.role_names()
        return ",".join(sorted(roles)) + ("|enterprise" if "enterprise_hr" in roles and enterprises else "")

    return {
        "unread_notifications": SimpleLazyObject(user.unread_notifications),
        "nav_roles": SimpleLazyObject(user.role_names),  # the set has_role already read, if it did
        # HR of enterprises, not of a university or agency (R5.4's staff titles are an enterprise's page).
        "nav_enterprises": enterprises,
        "nav_key": SimpleLazyObject(key),
    }
