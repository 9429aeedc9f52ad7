from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Ny kommentar"),
        max_length=BODY_MAX,
        strip=False,  # the service strips and checks the text (validation.clean_text)
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Skriv @användarnamn för att avisera någon (högst 10 personer) med e-post."),
    )
