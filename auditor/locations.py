"""Where in a nested document something is, written the way people read it.

Checklist errors and transcript errors both come from pydantic as location
tuples; both are reported as ``items[3].detector.phrases`` / ``turns[3].text``.
"""

from __future__ import annotations

from typing import Any


def loc_path(loc: tuple[Any, ...]) -> str:
    """``('turns', 3, 'text')`` → ``turns[3].text``; the empty location is ``""``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
