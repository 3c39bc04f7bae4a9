"""Format 4: CSV (or TSV), one row per turn, many calls per file.

The shape CRM and ASR exports take. Rows of one call need not be adjacent;
calls come out in the order their first row appears.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import compress, repeat
from operator import ne

from auditor.transcripts.building import LoadLimits, RawTurns, build_call
from auditor.transcripts.errors import InputError
from auditor.transcripts.model import Call, CallMeta, Problem, Source

from ._read import PathLike, read_text, suffix

REQUIRED = ("call_id", "agent_id", "speaker", "text")
OPTIONAL = ("agent_name", "team", "start", "end", "started_at")


def _float(value: str | None, field: str, line: int) -> float | None:
    if not value:
        return None
    try:
        return float(value)  # tolerates surrounding whitespace; the common case costs one call
    except ValueError:
        if not value.strip():
            return None
        raise InputError(f"column {field!r} is not a number: {value!r}", line) from None


# Before Python 3.11 the csv module refuses NUL characters ("line contains NUL").
_NUL_IS_AN_ERROR = sys.version_info < (3, 11)


def _plain_records(text: str, lines: list[str], delimiter: str) -> Iterable[list[str]] | None:
    """The records after the header as ``str.split`` gives them, when that is exactly what ``csv`` would give; else ``None``.

    Without a quote character every line is one record and every delimiter
    splits (our lines hold no ``\\r``); a NUL (an error before Python 3.11)
    or a line longer than the field size limit (an error) is left to
    ``csv``. ``split`` is several times faster than the csv reader. An empty
    line gives ``[""]`` rather than ``[]``: both are blank rows, skipped.
    """
    if '"' in text or (_NUL_IS_AN_ERROR and "\x00" in text) or max(map(len, lines)) > csv.field_size_limit():
        return None
    return map(str.split, lines[1:], repeat(delimiter))


def _read_rows(path: str, text: str, delimiter: str) -> tuple[list[str], Iterator[tuple[int, list[str]]], list[Problem], list[str] | None]:
    """The lower-cased header, ``(line number, cells)`` for each record after it, where that stream broke, and the plain lines.

    The problem list is filled (with the ``csv`` error and its line) only
    once the rows have been consumed. The plain lines (header first) are
    given when ``str.split`` reads the file exactly as ``csv`` would; else ``None``.
    """
    lines = text.split("\n")
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise InputError(f"no CSV header: {exc}" if str(exc) else "no CSV header", 1) from None
    broken: list[Problem] = []
    plain = _plain_records(text, lines, delimiter) if reader.line_num == 1 else None
    if plain is not None:
        return header, zip(range(2, len(lines) + 1), plain), broken, lines

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            broken.append(Problem(path, f"CSV error: {exc}; the rest of the file was not read", reader.line_num))

    return header, records(), broken, None


@dataclass(frozen=True, slots=True)
class _Layout:
    """Which cell of a row holds each field, resolved once per file so that a row costs plain indexing."""

    width: int
    call_id: int
    speaker: int
    text: int
    start: int | None
    end: int | None
    meta: tuple[int | None, ...]  # agent_id, agent_name, team, started_at

    @classmethod
    def of(cls, header: list[str]) -> _Layout:
        col = {field: header.index(field) for field in REQUIRED + OPTIONAL if field in header}
        meta = tuple(col.get(k) for k in ("agent_id", "agent_name", "team", "started_at"))
        return cls(len(header), col["call_id"], col["speaker"], col["text"], col.get("start"), col.get("end"), meta)


# A call as it waits to be built: its metadata, its turns, the line of its first row.
_Pending = tuple[CallMeta, RawTurns, int]


def load(path: PathLike, limits: LoadLimits) -> Iterator[Call | Problem]:
    name = os.fspath(path)
    text = read_text(name, limits)
    delimiter = "\t" if suffix(name).lower() == ".tsv" else ","
    header, records, broken, plain_lines = _read_rows(name, text, delimiter)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"CSV header lacks required column(s) {', '.join(missing)} (has: {', '.join(header)})", 1)
    layout = _Layout.of(header)
    calls = None if plain_lines is None else _regular_calls(plain_lines, delimiter, layout)
    if calls is None:
        rows, bad_rows = _calls_row_by_row(name, records, layout)
        bad_rows += broken
        if not rows and not bad_rows:
            raise InputError("no call rows after the header", 1)
        yield from bad_rows
        calls = ((meta, RawTurns(*map(list, zip(*turns))), first_line) for meta, turns, first_line in rows)
    for meta, raw, first_line in calls:
        warnings: list[str] = []
        source = Source(name, first_line)
        try:
            yield build_call(meta, raw, source, limits, warnings)
        except InputError as exc:
            yield Problem(name, f"call {meta.call_id}: {exc.reason}", exc.line or first_line)
            continue
        for w in warnings:
            yield Problem(name, f"call {meta.call_id}: {w}", first_line, kind="warning")


def _numbers(cells: list[str]) -> list[float | None]:
    """Each cell as a number, an empty one as ``None``; ``ValueError`` for anything else (a blank cell too)."""
    if "" in cells:
        return [float(cell) if cell else None for cell in cells]
    return list(map(float, cells))


def _regular_calls(lines: list[str], delimiter: str, at: _Layout) -> Iterator[_Pending] | None:
    """The calls of a plain file, read a column at a time, when its rows are regular; else ``None``.

    Regular: every line after the header (bar empty ones at the end) has
    exactly the header's cells, a call_id, a start and end that are empty or
    a number, and the rows of each call are adjacent. That is what exports
    write, and then the whole body is split once and each field is a slice
    of the cells, with no Python work per row and no tuple per turn waiting
    for its call: loading a CSV call went from ~58 to ~54 µs (~1 µs less
    where the calls are all kept, as in ``bench.stages``). Anything else (a
    blank or short row, a bad number, a call's rows apart) is left to
    ``_calls_row_by_row``, which reports it.
    """
    end = len(lines)
    while end > 1 and not lines[end - 1]:
        end -= 1
    body = lines[1:end]
    width = at.width
    if not body or set(map(str.count, body, repeat(delimiter))) != {width - 1}:
        return None
    cells = delimiter.join(body).split(delimiter)
    ids = list(map(str.strip, cells[at.call_id :: width]))
    if not all(ids):
        return None
    try:
        starts = None if at.start is None else _numbers(cells[at.start :: width])
        ends = None if at.end is None else _numbers(cells[at.end :: width])
    except ValueError:
        return None
    firsts = [0, *compress(range(1, len(ids)), map(ne, ids[1:], ids))]  # where each run of one call_id starts
    if len(set(map(ids.__getitem__, firsts))) != len(firsts):
        return None
    speakers, texts = cells[at.speaker :: width], cells[at.text :: width]
    metas = [CallMeta(ids[first], *[None if i is None else (cells[first * width + i].strip() or None) for i in at.meta]) for first in firsts]
    del cells  # the cells no call needs go now, not once the whole file is built

    def call(meta: CallMeta, first: int, last: int) -> _Pending:
        nothing = [None] * (last - first)
        turns = RawTurns(
            speakers[first:last], texts[first:last], nothing if starts is None else starts[first:last],
            nothing[:] if ends is None else ends[first:last], range(first + 2, last + 2),
        )
        return meta, turns, first + 2

    return map(call, metas, firsts, [*firsts[1:], len(ids)])


_Rows = tuple[CallMeta, list[tuple[str, str, float | None, float | None, int]], int]


def _calls_row_by_row(name: str, records: Iterable[tuple[int, list[str]]], at: _Layout) -> tuple[list[_Rows], list[Problem]]:
    """The calls, row by row, and a problem for each row that could not be read (in the order of the rows).

    Short rows are padded with None, so that a row costs plain indexing
    rather than a lookup per cell. A turn is kept as a tuple until its call
    is built: the collector soon stops tracking a tuple of strings and
    numbers, and a whole file's turns wait here.
    """
    calls: dict[str, _Rows] = {}
    bad_rows: list[Problem] = []
    width = at.width
    i_id, i_speaker, i_text, i_start, i_end, meta_cols = at.call_id, at.speaker, at.text, at.start, at.end, at.meta
    for line, row in records:
        if len(row) < width:
            if not "".join(row).strip():
                continue
            row += [None] * (width - len(row))  # type: ignore[list-item]
            call_id = (row[i_id] or "").strip()
        else:
            call_id = row[i_id].strip()
            if not call_id and not "".join(row).strip():
                continue
        if not call_id:
            bad_rows.append(Problem(name, "row has no call_id; skipped", line))
            continue
        try:  # inline for the common case: an empty cell or a number
            start = None if i_start is None or not (cell := row[i_start]) else float(cell)
            end = None if i_end is None or not (cell := row[i_end]) else float(cell)
        except ValueError:
            try:  # blank, or the message for the first bad cell
                start = None if i_start is None else _float(row[i_start], "start", line)
                end = None if i_end is None else _float(row[i_end], "end", line)
            except InputError as exc:
                bad_rows.append(Problem(name, exc.reason, exc.line))
                continue
        entry = calls.get(call_id)
        if entry is None:
            meta = CallMeta(call_id, *(None if i is None else ((row[i] or "").strip() or None) for i in meta_cols))
            entry = calls[call_id] = (meta, [], line)
        entry[1].append((row[i_speaker] or "", row[i_text] or "", start, end, line))
    return list(calls.values()), bad_rows
