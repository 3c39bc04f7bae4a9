"""Format 2: many calls per ``.jsonl`` file, one JSON object a line.

Streamed line by line so a file of a day's calls never sits in memory, and a
broken line costs only that call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.encoding import decode_bytes
from auditor.transcripts.errors import InputError
from auditor.transcripts.model import Call, Problem, Source
from auditor.transcripts.records import call_from_object

_CHUNK = 1 << 16


def _lines(path: Path, limits: LoadLimits) -> Iterator[tuple[int, bytes | None]]:
    """Yield ``(line number, bytes)``; ``None`` bytes for a line over the size limit."""
    limit = limits.max_file_bytes
    with path.open("rb") as fh:
        number = 0
        while True:
            line = fh.readline(limit + 1)
            if not line:
                return
            number += 1
            if len(line) > limit and not line.endswith(b"\n"):
                while True:  # skip the rest of the oversized line without holding it
                    rest = fh.readline(_CHUNK)
                    if not rest or rest.endswith(b"\n"):
                        break
                yield number, None
                continue
            yield number, line


def load(path: Path, limits: LoadLimits) -> Iterator[Call | Problem]:
    try:
        with path.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) == 4 and (head[1] == 0 or head[0] == 0)):
        # UTF-16 cannot be split on newline bytes: decode whole (bounded by the limit).
        from ._read import read_text

        lines = [(i, s.encode("utf-8")) for i, s in enumerate(read_text(path, limits).split("\n"), 1)]
    else:
        lines = _lines(path, limits)
    stem = path.stem
    seen_any = False
    for number, raw in lines:
        source = Source(str(path), number)
        if raw is None:
            yield Problem(str(path), f"line is longer than the limit of {limits.max_file_mb:g} MB (raise it with --max-file-mb)", number)
            continue
        if not raw.strip():
            continue
        seen_any = True
        try:
            text, _ = decode_bytes(raw)
            text = text.lstrip("\ufeff")
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", number) from None
            warnings: list[str] = []
            yield call_from_object(obj, f"{stem}:{number}", source, limits, warnings)
            for w in warnings:
                yield Problem(str(path), w, number, kind="warning")
        except InputError as exc:
            yield Problem(str(path), exc.reason, number)
    if not seen_any:
        raise InputError("empty file")
