"""The `jamkoll` console script: every Django management command, plus ours (DESIGN §5).

`jamkoll seed`, `jamkoll allocations …` and `jamkoll migrate` all go through Django's command
machinery, so each has `--help`, exits non-zero on a CommandError and prints it on one line.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jamkoll.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "jamkoll"
    if len(args) > 1 and args[1] == "demo":
        # The demo serves plain http on localhost: development settings, secure cookies off.
        os.environ.setdefault("JAMKOLL_DEBUG", "1")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
