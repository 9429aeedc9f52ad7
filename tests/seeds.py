"""The source documents (../shared/seeds beside the checkout) for tests that check the system
against what the documents say."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def seeds_dir() -> Path:
    """`JAMKOLL_SEEDS_DIR`, or the nearest folder `shared/seeds` above the checkout (CI puts
    ../shared beside the clone; a git worktree may sit deeper)."""
    configured = os.environ.get("JAMKOLL_SEEDS_DIR")
    if configured:
        return Path(configured)
    for parent in REPO.parents:
        if (parent / "shared" / "seeds").is_dir():
            return parent / "shared" / "seeds"
    raise FileNotFoundError("the source documents are not found: set JAMKOLL_SEEDS_DIR to the seeds folder")


def normalise(text: str) -> str:
    """One space for every run of white space, so that a line break in the document does not
    hide a phrase."""
    return re.sub(r"\s+", " ", text).strip()


def seed_path(number: str) -> Path:
    """The file of seed `number` ("003")."""
    (path,) = seeds_dir().glob(f"{number}_*.txt")
    return path


@cache
def seed_text(number: str) -> str:
    """The text of seed `number` ("003"), white space normalised."""
    return normalise(seed_path(number).read_text(encoding="utf-8"))
