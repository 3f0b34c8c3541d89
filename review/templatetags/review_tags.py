"""What waits for a committee secretary or an expert, shown on the home page
(``{% review_todo %}``), so that nobody logs in to a page with nothing to do."""

from __future__ import annotations

from django import template

from portal.models import Role
from review import selectors

register = template.Library()


@register.inclusion_tag("review/_home_todo.html", takes_context=True)
def review_todo(context) -> dict:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {}
    roles = context.get("nav_roles") or set()
    out: dict = {}
    if Role.COMMITTEE_SECRETARY in roles:
        out["secretary"] = selectors.secretary_todo(user=user)
    if Role.EXPERT in roles:
        out["workload"] = selectors.expert_workload(user=user)
        out["votes"] = list(selectors.meetings_for_member(user=user)[:5])
    return out
