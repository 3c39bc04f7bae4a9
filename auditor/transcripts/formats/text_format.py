"""Format 3: plain text, one turn per line as ``ROLE：text``.

The form a QA lead can type or paste from an ASR tool: optional ``[mm:ss]``
timestamps, continuation lines, and front matter between ``---`` lines.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import count

from auditor.transcripts.building import LoadLimits, RawTurns, build_call
from auditor.transcripts.errors import InputError
from auditor.transcripts.model import Call, CallMeta, Problem, Source
from auditor.transcripts.speakers import AGENT_LABELS, CUSTOMER_LABELS

from ._read import PathLike, read_text, stem

_TS = r"\[(\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\]"
_ROLE = "|".join(sorted((re.escape(x) for x in AGENT_LABELS + CUSTOMER_LABELS), key=len, reverse=True))
TURN_LINE = re.compile(rf"^\s*(?:{_TS}\s*)?({_ROLE})\s*(?:{_TS}\s*)?[:：]\s?(.*)$", re.IGNORECASE)
META_KEYS = ("call_id", "agent_id", "agent_name", "team", "started_at")


@lru_cache(maxsize=8192)
def _seconds(stamp: str | None) -> float | None:
    """Seconds from ``[mm:ss]``-style stamps; cached, as the same stamps recur call after call."""
    if not stamp:
        return None
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + float(part)
    return total


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """Return the metadata and the index of the first line after the front matter."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for i in range(first + 1, len(lines)):
        line = lines[i].strip()
        if line == "---":
            return meta, i + 1
        key, sep, value = line.partition(":")
        if sep and key.strip() in META_KEYS:
            meta[key.strip()] = value.strip().strip("'\"")
    raise InputError("front matter opened with '---' is never closed", first + 1)


def parse_text(text: str, source: Source, limits: LoadLimits, call_id: str | None = None) -> tuple[Call, list[str]]:
    """One call from text already in memory, and its warnings; raises ``InputError``.

    Separate from ``load`` so that a dialogue written inline (a checklist
    example) is read by exactly the same rules as a transcript file.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    meta_fields, body_start = _front_matter(lines)
    body = lines[body_start:]
    if "\ufeff" in text:
        body = [line.lstrip("\ufeff") for line in body]
    raw = RawTurns()
    speakers, texts, starts, numbers = raw.speakers, raw.texts, raw.starts, raw.lines
    warnings: list[str] = []
    stray: list[int] = []
    max_turns = limits.max_turns
    for number, line, m in zip(count(body_start + 1), body, map(TURN_LINE.match, body)):
        if m:
            if len(texts) >= max_turns:
                raise InputError(f"the call has more than the limit of {max_turns} turns (raise it with --max-turns)", number)
            stamp_before, speaker, stamp_after, said = m.groups()
            speakers.append(speaker)
            texts.append(said)
            starts.append(_seconds(stamp_before or stamp_after))
            numbers.append(number)
        elif line.strip():
            if texts:
                texts[-1] += "\n" + line.strip()
            else:
                stray.append(number)
    if not texts:
        raise InputError("no turns found: expected lines such as '客服：您好' or 'customer: hello'", stray[0] if stray else None)
    if stray:
        warnings.append(f"{len(stray)} line(s) before the first speaker label were ignored (first: line {stray[0]})")
    raw.ends = [None] * len(texts)
    meta = CallMeta(call_id=meta_fields.get("call_id") or call_id, **{k: meta_fields.get(k) for k in META_KEYS[1:]})
    return build_call(meta, raw, source, limits, warnings), warnings


def load(path: PathLike, limits: LoadLimits) -> Iterator[Call | Problem]:
    name = os.fspath(path)
    call, warnings = parse_text(read_text(name, limits), Source(name), limits, call_id=stem(name))
    yield call
    for w in warnings:
        yield Problem(name, w, kind="warning")
