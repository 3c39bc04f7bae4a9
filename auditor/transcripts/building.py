"""Turning raw turns from any loader into a ``Call``.

Every format ends here so that cleaning, speaker mapping, limits and
normalisation happen in exactly one place.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from auditor.transcripts.errors import InputError
from auditor.transcripts.model import OTHER, Call, CallMeta, Source, Turn
from auditor.transcripts.normalize import normalize
from auditor.transcripts.speakers import role_of

# C0/C1 control characters (NUL included) are never speech; keep tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class LoadLimits:
    """Bounds that keep one hostile file from exhausting memory; each is a CLI option."""

    max_file_mb: float = 64.0
    max_turns: int = 20_000
    max_turn_chars: int = 20_000

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


@dataclass(slots=True)
class RawTurn:
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None


def clean_text(text: str) -> str:
    return _CONTROL.sub("", text).strip()


def build_call(meta: CallMeta, raw_turns: list[RawTurn], source: Source, limits: LoadLimits, warnings: list[str]) -> Call:
    """Validate limits, map speakers and normalise; raise ``InputError`` when the call cannot be audited."""
    if not raw_turns:
        raise InputError("the call has no turns", source.line)
    if len(raw_turns) > limits.max_turns:
        raise InputError(f"the call has {len(raw_turns)} turns, more than the limit of {limits.max_turns} (raise it with --max-turns)", source.line)
    turns: list[Turn] = []
    unknown: set[str] = set()
    digest = hashlib.blake2b(digest_size=12)
    for raw in raw_turns:
        text = clean_text(raw.text)
        if len(text) > limits.max_turn_chars:
            raise InputError(
                f"a turn has {len(text)} characters, more than the limit of {limits.max_turn_chars} (raise it with --max-turn-chars)",
                raw.line or source.line,
            )
        role = role_of(raw.speaker)
        if role is None:
            unknown.add(raw.speaker)
            role = OTHER
        turns.append(Turn(len(turns), role, text, normalize(text), raw.start, raw.end, raw.line))
        digest.update(f"{role}\x1f{text}\x1e".encode())
    if unknown:
        warnings.append("unknown speaker label(s) " + ", ".join(sorted(repr(u) for u in unknown)) + ": those turns are checked by no agent or customer rule")
    call_id = meta.call_id or ""
    digest.update(f"{call_id}\x1f{meta.agent_id}".encode())
    return Call(
        call_id=call_id,
        turns=tuple(turns),
        source=source,
        agent_id=meta.agent_id or None,
        agent_name=meta.agent_name or None,
        team=meta.team or None,
        started_at=meta.started_at or None,
        content_hash=digest.hexdigest(),
    )
