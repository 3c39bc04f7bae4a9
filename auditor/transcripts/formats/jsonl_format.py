"""Format 2: many calls per ``.jsonl`` file, one JSON object a line.

Streamed line by line so a file of a day's calls never sits in memory, and a
broken line costs only that call.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.encoding import decode_bytes
from auditor.transcripts.errors import InputError
from auditor.transcripts.model import Call, Problem, Source
from auditor.transcripts.formats._read import PathLike, open_regular, stem as file_stem
from auditor.transcripts.records import call_from_json

_CHUNK = 1 << 20


def _lines(path: str, limits: LoadLimits) -> Iterator[tuple[int, bytes | bytearray | None]]:
    """Yield ``(line number, bytes)``; ``None`` bytes for a line over the size limit.

    A long line is gathered piece by piece and dropped as soon as it passes
    the limit, so a 100 MB single-line file costs at most the limit in memory.
    """
    limit = limits.max_file_bytes
    with open_regular(path) as fh:
        number = 0
        while True:
            line = fh.readline(_CHUNK)
            if not line:
                return
            number += 1
            if line.endswith(b"\n") or len(line) < _CHUNK:
                yield number, (line if len(line) <= limit else None)
                continue
            buf: bytearray | None = bytearray(line)
            while True:
                part = fh.readline(_CHUNK)
                if buf is not None:
                    buf += part
                    if len(buf) > limit:
                        buf = None  # over the limit: skip the rest without holding it
                if not part or part.endswith(b"\n"):
                    break
            yield number, buf


def _line_text(raw: bytes | bytearray) -> str:
    """One line's text: its own encoding guessed, a byte-order mark before it dropped."""
    return decode_bytes(raw)[0].lstrip("\ufeff")


def load(path: PathLike, limits: LoadLimits) -> Iterator[Call | Problem]:
    name = os.fspath(path)
    with open_regular(name) as fh:
        try:
            head = fh.read(4)
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(head) == 4 and (head[1] == 0 or head[0] == 0)):
        # UTF-16 cannot be split on newline bytes: decode whole (bounded by the limit).
        from ._read import read_text

        lines = [(i, s.encode("utf-8")) for i, s in enumerate(read_text(name, limits).split("\n"), 1)]
    else:
        lines = _lines(name, limits)
    stem = file_stem(name)
    seen_any = False
    for number, raw in lines:
        source = Source(name, number)
        if raw is None:
            seen_any = True
            yield Problem(name, f"line is longer than the limit of {limits.max_file_mb:g} MB (raise it with --max-file-mb)", number)
            continue
        if not raw.strip():
            continue
        seen_any = True
        try:
            warnings: list[str] = []
            yield call_from_json(raw, f"{stem}:{number}", source, limits, warnings, _line_text)
            for w in warnings:
                yield Problem(name, w, number, kind="warning")
        except InputError as exc:
            yield Problem(name, exc.reason, number)
    if not seen_any:
        raise InputError("empty file")
