"""The source documents (../shared/seeds beside the checkout) for tests that check the system
against what the documents say. `JAMKOLL_SEEDS_DIR` points elsewhere when the checkout is not
beside ../shared."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def seeds_dir() -> Path:
    configured = os.environ.get("JAMKOLL_SEEDS_DIR")
    return Path(configured) if configured else REPO.parent / "shared" / "seeds"


def normalise(text: str) -> str:
    """One space for every run of white space, so that a line break in the document does not
    hide a phrase."""
    return re.sub(r"\s+", " ", text).strip()


@cache
def seed_text(number: str) -> str:
    """The text of seed `number` ("003"), white space normalised."""
    (path,) = seeds_dir().glob(f"{number}_*.txt")
    return normalise(path.read_text(encoding="utf-8"))
