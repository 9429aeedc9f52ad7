"""The source documents that every stored fact cites, and how a citation reads to a user.

Data files cite documents by their file number ("seed 001, bilaga 1 §7") so that a developer can
find the line; pages and documents show the document's own title instead.
"""

from __future__ import annotations

import re

SOURCES: dict[str, str] = {
    "000": "SKL:s förbundsstyrelses beslut om överenskommelsen",
    "001": "SKL:s cirkulär 2018-01-26 (ärendenr 17/05981)",
    "002": "SKL:s nyhet 2018-02-16 om överenskommelsen",
    "003": "Resultatrapport 2018",
    "004": "Regeringens pressmeddelande (Arbetsmarknadsdepartementet) om medel till SKR 2021",
}

_SEED = re.compile(r"\bseed (\d{3})\b", re.IGNORECASE)


def cite(text: str) -> str:
    """Replace "seed 001" by the document's title: "SKL:s cirkulär 2018-01-26 (…)"."""
    return _SEED.sub(lambda m: SOURCES.get(m.group(1), m.group(0)), text or "")
