from typing import Any

from django import template
from django.utils import timezone

from ..selectors import todo_for_user as todo_selector

register = template.Library()


@register.inclusion_tag("obligations/_todo.html", takes_context=True)
def todo_for_user(context: Any) -> dict[str, Any]:
    """The logged-in user's "Att göra" list: `{% load obligations %}{% todo_for_user %}`."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"todo": todo_selector(user, timezone.localdate()), "request": request}
