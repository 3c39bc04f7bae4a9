"""Turning raw turns from any loader into a ``Call``.

Every format ends here so that cleaning, speaker mapping, limits and
normalisation happen in exactly one place.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from auditor.transcripts.errors import InputError
from auditor.transcripts.model import AGENT, OTHER, Call, CallMeta, Source, Turn
from auditor.transcripts.normalize import normalize_all
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


# Lone UTF-16 surrogates (from JSON escapes such as "\ud800") cannot be
# encoded as UTF-8, so they would crash the writers at the very end of a run.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


# Either of the above: one scan finds the (rare) text that needs cleaning at all.
_DIRTY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    if _DIRTY.search(text) is None:
        return text.strip()
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text)).strip()


def clean_meta(value: str | None) -> str | None:
    """Metadata (ids, names) on one line without control characters; ``None`` when nothing is left."""
    if value is None:
        return None
    return clean_text(value.replace("\n", " ").replace("\t", " ")) or None


def build_call(meta: CallMeta, raw_turns: list[RawTurn], source: Source, limits: LoadLimits, warnings: list[str]) -> Call:
    """Validate limits, map speakers and normalise; raise ``InputError`` when the call cannot be audited."""
    if not raw_turns:
        raise InputError("the call has no turns", source.line)
    if len(raw_turns) > limits.max_turns:
        raise InputError(f"the call has {len(raw_turns)} turns, more than the limit of {limits.max_turns} (raise it with --max-turns)", source.line)
    cleaned: list[tuple[RawTurn, str, str]] = []
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
        cleaned.append((raw, role, text))
        digest.update(f"{role}\x1f{text}\x1e".encode())
    norms = normalize_all([text for _, _, text in cleaned])  # the whole call in one pass: see normalize_all
    turns = [Turn(i, role, text, norm, raw.start, raw.end, raw.line) for i, ((raw, role, text), norm) in enumerate(zip(cleaned, norms))]
    if not any(t.speaker == AGENT for t in turns):
        warnings.append("the call has no agent turns: every agent item fails or is N/A (speaker labels wrong?)")
    if unknown:
        warnings.append("unknown speaker label(s) " + ", ".join(sorted(repr(u) for u in unknown)) + ": those turns are checked by no agent or customer rule")
    meta = CallMeta(*(clean_meta(v) for v in (meta.call_id, meta.agent_id, meta.agent_name, meta.team, meta.started_at)), meta.extra)
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
