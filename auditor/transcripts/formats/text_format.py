"""Format 3: plain text, one turn per line as ``ROLE：text``.

The form a QA lead can type or paste from an ASR tool: optional ``[mm:ss]``
timestamps, continuation lines, and front matter between ``---`` lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from auditor.transcripts.building import LoadLimits, RawTurn, build_call
from auditor.transcripts.errors import InputError
from auditor.transcripts.model import Call, CallMeta, Problem, Source
from auditor.transcripts.speakers import AGENT_LABELS, CUSTOMER_LABELS

from ._read import read_text

_TS = r"\[(\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\]"
_ROLE = "|".join(sorted((re.escape(x) for x in AGENT_LABELS + CUSTOMER_LABELS), key=len, reverse=True))
TURN_LINE = re.compile(rf"^\s*(?:{_TS}\s*)?({_ROLE})\s*(?:{_TS}\s*)?[:：]\s?(.*)$", re.IGNORECASE)
META_KEYS = ("call_id", "agent_id", "agent_name", "team", "started_at")


def _seconds(stamp: str | None) -> float | None:
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
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta_fields, body_start = _front_matter(lines)
    raw: list[RawTurn] = []
    warnings: list[str] = []
    stray: list[int] = []
    for number in range(body_start, len(lines)):
        line = lines[number].lstrip("\ufeff")
        m = TURN_LINE.match(line)
        if m:
            ts = m.group(1) or m.group(3)
            if len(raw) >= limits.max_turns:
                raise InputError(f"the call has more than the limit of {limits.max_turns} turns (raise it with --max-turns)", number + 1)
            raw.append(RawTurn(m.group(2), m.group(4), _seconds(ts), None, number + 1))
        elif line.strip():
            if raw:
                raw[-1].text += "\n" + line.strip()
            else:
                stray.append(number + 1)
    if not raw:
        raise InputError("no turns found: expected lines such as '客服：您好' or 'customer: hello'", stray[0] if stray else None)
    if stray:
        warnings.append(f"{len(stray)} line(s) before the first speaker label were ignored (first: line {stray[0]})")
    meta = CallMeta(call_id=meta_fields.get("call_id") or call_id, **{k: meta_fields.get(k) for k in META_KEYS[1:]})
    return build_call(meta, raw, source, limits, warnings), warnings


def load(path: Path, limits: LoadLimits) -> Iterator[Call | Problem]:
    call, warnings = parse_text(read_text(path, limits), Source(str(path)), limits, call_id=path.stem)
    yield call
    for w in warnings:
        yield Problem(str(path), w, kind="warning")
