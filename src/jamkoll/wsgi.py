"""The WSGI application that gunicorn (`jamkoll serve`, or gunicorn started directly) and runserver
load. Outside debug it refuses to exist without JAMKOLL_SECRET_KEY (issue 12, finding 7): a process
with a key of its own would sign cookies no other process accepts, and a fixed fallback would sign
cookies anyone can forge."""

import gc
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamkoll.settings")

if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENVIRONMENT:
    raise ImproperlyConfigured(
        "JAMKOLL_SECRET_KEY måste vara satt för att webbservern ska starta "
        "(en lång slumpmässig sträng, t.ex. från "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )

application = get_wsgi_application()

# What the application loaded (settings, apps, models, catalogues) lives as long as the process:
# keep it out of the collector's full passes, which otherwise walk those objects again and again
# and show as pauses of 100–200 ms in the slowest requests (gc.freeze; before gunicorn forks its
# workers it also keeps those pages shared).
gc.collect()
gc.freeze()
