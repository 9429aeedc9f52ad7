"""`{% comments_for obj %}`: the comment section of a plan, activity, county plan or report
version page (the page's view needs no change); `{% notifications_link %}`: the header's link
with the number of unread notifications."""

from __future__ import annotations

from typing import Any

from django import template

from jamkoll.accounts.policy import check

from ..selectors import target_of, unread_count
from ..views import section_context

register = template.Library()


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comments_for(context: Any, obj: Any) -> dict[str, Any]:
    """Nothing for a visitor who may not read the target's comments (anonymous, no role, another
    county's RSS leader) or when there is no object (a county without a plan yet)."""
    request = context.get("request")
    if obj is None or request is None:
        return {"shown": False}
    target = target_of(obj)
    if not check(request.user, "comment.view", target):
        return {"shown": False}

    return {"shown": True, "csrf_token": context.get("csrf_token"), **section_context(request, target)}


@register.inclusion_tag("comments/_notifications_link.html", takes_context=True)
def notifications_link(context: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shown": False}
    return {"shown": True, "unread": unread_count(user=user), "request": request}
