"""Runs `jamkoll decision import` (the real command) with one change: in the middle of its
transaction, after the decision is written and its obligations generated, it writes what it sees to
a marker file and waits, so that the fault test can SIGKILL it there. Test code only."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamkoll.settings")
    import django

    django.setup()
    from jamkoll.cli import main as cli
    from jamkoll.obligations import registration
    from jamkoll.programmes.models import FundingDecision

    real = registration.obligations_generate_for
    marker = Path(os.environ["JAMKOLL_FAULT_MARKER"])

    def pausing(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        marker.write_text(f"decisions={FundingDecision.objects.count()}")
        time.sleep(300)
        return result

    registration.obligations_generate_for = pausing  # type: ignore[assignment]
    cli(["jamkoll", *sys.argv[1:]])


if __name__ == "__main__":
    main()
