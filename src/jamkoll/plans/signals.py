"""What the plans app tells the apps above it, without depending on them (DESIGN §4: the
dependencies point down). A receiver runs inside the sender's transaction: if it raises, the
transition is rolled back with it."""

from __future__ import annotations

from django.dispatch import Signal

# The ministry sent a plan back (`services.plan_transition`, action "send_back"); `send_back` is
# the plan's timeline comment carrying the ministry's words. The comments app notifies the
# plan's owners (`comments.services.send_back_notify`).
plan_sent_back = Signal()
