"""Turning raw turns from any loader into a ``Call``.

Every format ends here so that cleaning, speaker mapping, limits and
normalisation happen in exactly one place.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from auditor.transcripts.errors import InputError
from auditor.transcripts.model import AGENT, OTHER, Call, CallMeta, Source, new_call, turns_from_columns
from auditor.transcripts.normalize import _JOIN, normalize_joined, normalize_plain
from auditor.transcripts.speakers import EXACT_ROLES, role_of

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
class RawTurns:
    """A call's turns as a loader read them, one list per field.

    Columns rather than an object per turn: ``build_call`` works a column at
    a time (one scan, one join, one ``map`` for the whole call), and a call
    costs five lists instead of dozens of small objects for the collector.
    """

    speakers: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    starts: list[float | None] = field(default_factory=list)
    ends: list[float | None] = field(default_factory=list)
    lines: list[int | None] | range = field(default_factory=list)  # a range when the turns are consecutive lines

    def add(self, speaker: str, text: str, start: float | None = None, end: float | None = None, line: int | None = None) -> None:
        self.speakers.append(speaker)
        self.texts.append(text)
        self.starts.append(start)
        self.ends.append(end)
        self.lines.append(line)  # type: ignore[union-attr]


# Lone UTF-16 surrogates (from JSON escapes such as "\ud800") cannot be
# encoded as UTF-8, so they would crash the writers at the very end of a run.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


# Either of the above: one scan finds the (rare) text that needs cleaning at all.
_DIRTY = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    if _DIRTY.search(text) is None:
        return text.strip()
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text)).strip()


# What ``clean_meta`` changes besides surrounding whitespace: with none of
# it, a value only needs ``strip``.
_META_DIRTY = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_meta(value: str | None) -> str | None:
    """Metadata (ids, names) on one line without control characters; ``None`` when nothing is left."""
    if value is None:
        return None
    if _META_DIRTY.search(value) is None:
        return value.strip() or None
    return clean_text(value.replace("\n", " ").replace("\t", " ")) or None


# ``_DIRTY`` but for ``_JOIN``, which separates the turns of a joined call.
_DIRTY_BUT_JOIN = re.compile(r"[\x00\x02-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _clean_and_normalize(raw: RawTurns, source: Source, limits: LoadLimits) -> tuple[list[str], list[str], str]:
    """The cleaned turns (``InputError`` for one over the limit), their normalised forms, and the turns joined by ``_JOIN``.

    Nearly every call is clean: then cleaning is ``strip``, and the turns
    joined for normalising are searched once for what cleaning would change,
    instead of each turn on its own (~1.5 µs a call), or not at all when
    ``normalize_plain`` takes the call. Stripping first is exact: what
    ``strip`` removes is whitespace, and a clean turn's control characters
    can only have been among it, where ``clean_text`` would have dropped
    them before stripping. A turn holding ``_JOIN`` itself shows as one
    separator too many. Turns over the limit take the per-turn path, which
    refuses them before anything copies them (cleaning never lengthens a turn).
    """
    if max(map(len, raw.texts)) <= limits.max_turn_chars:
        texts = list(map(str.strip, raw.texts))
        joined = _JOIN.join(texts)
        if joined.count(_JOIN) == len(texts) - 1:
            norms = normalize_plain(joined, texts)
            if norms is not None:
                return texts, norms, joined
            if _DIRTY_BUT_JOIN.search(joined) is None:
                return texts, normalize_joined(joined, texts), joined
    texts = _clean_turns(raw.texts)
    _check_lengths(texts, raw.lines, source, limits)
    joined = _JOIN.join(texts)  # cleaned text never holds its separator
    return texts, normalize_joined(joined, texts), joined


def _clean_turns(texts: list[str]) -> list[str]:
    """``[clean_text(t) for t in texts]``: one scan of each turn first, since nearly every call is clean."""
    if any(map(_DIRTY.search, texts)):
        return [clean_text(t) for t in texts]
    return list(map(str.strip, texts))


def _check_lengths(texts: list[str], lines: list[int | None] | range, source: Source, limits: LoadLimits) -> None:
    """Refuse the first turn over the limit, as the turns are read."""
    limit = limits.max_turn_chars
    if max(map(len, texts)) <= limit:
        return
    i = next(i for i, text in enumerate(texts) if len(text) > limit)
    raise InputError(
        f"a turn has {len(texts[i])} characters, more than the limit of {limit} (raise it with --max-turn-chars)",
        lines[i] or source.line,
    )


def _roles(speakers: list[str]) -> tuple[list[str], set[str]]:
    """Each turn's role, and the labels no role is known for (their turns get ``OTHER``)."""
    roles = list(map(EXACT_ROLES.get, speakers))
    unknown: set[str] = set()
    if None in roles:
        for i, label in enumerate(speakers):
            if roles[i] is None:
                role = role_of(label)
                if role is None:
                    unknown.add(label)
                    role = OTHER
                roles[i] = role
    return roles, unknown  # type: ignore[return-value]


_ROLE_SEP = "\x1f"  # between the roles in the hashed text


def _content_hash(roles: list[str], joined: str, call_id: str, agent_id: str | None) -> str:
    r"""Identifies a call's content for ``--resume``: speakers, words, id and agent, hashed in one update.

    The text is the roles (\x1f between), \x1e, the cleaned turns as
    loading joined them (``_JOIN`` between), \x1e, then id \x1f agent.
    Cleaned text and metadata hold none of these separators, so the text
    says unambiguously what was said by whom. The joined turns are the
    string normalising started from: no text is laid out again for the hash.
    """
    text = f"{_ROLE_SEP.join(roles)}\x1e{joined}\x1e{call_id}\x1f{agent_id}"
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def build_call(meta: CallMeta, raw: RawTurns, source: Source, limits: LoadLimits, warnings: list[str]) -> Call:
    """Validate limits, map speakers and normalise; raise ``InputError`` when the call cannot be audited."""
    count = len(raw.texts)
    if not count:
        raise InputError("the call has no turns", source.line)
    if count > limits.max_turns:
        raise InputError(f"the call has {count} turns, more than the limit of {limits.max_turns} (raise it with --max-turns)", source.line)
    texts, norms, joined = _clean_and_normalize(raw, source, limits)
    roles, unknown = _roles(raw.speakers)
    turns = turns_from_columns(roles, texts, norms, raw.starts, raw.ends, raw.lines)
    if AGENT not in roles:
        warnings.append("the call has no agent turns: every agent item fails or is N/A (speaker labels wrong?)")
    if unknown:
        warnings.append("unknown speaker label(s) " + ", ".join(sorted(repr(u) for u in unknown)) + ": those turns are checked by no agent or customer rule")
    call_id, agent_id, agent_name, team, started_at = map(clean_meta, (meta.call_id, meta.agent_id, meta.agent_name, meta.team, meta.started_at))
    call_id = call_id or ""
    return new_call(call_id, turns, source, agent_id, agent_name, team, started_at, _content_hash(roles, joined, call_id, agent_id))
