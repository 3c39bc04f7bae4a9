"""Format 4: CSV (or TSV), one row per turn, many calls per file.

The shape CRM and ASR exports take. Rows of one call need not be adjacent;
calls come out in the order their first row appears.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterable, Iterator
from itertools import repeat

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


def _read_rows(path: str, text: str, delimiter: str) -> tuple[list[str], Iterator[tuple[int, list[str]]], list[Problem]]:
    """The lower-cased header, ``(line number, cells)`` for each record after it, and where that stream broke.

    The problem list is filled (with the ``csv`` error and its line) only
    once the rows have been consumed.
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
        return header, zip(range(2, len(lines) + 1), plain), broken

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as exc:
            broken.append(Problem(path, f"CSV error: {exc}; the rest of the file was not read", reader.line_num))

    return header, records(), broken


def load(path: PathLike, limits: LoadLimits) -> Iterator[Call | Problem]:
    name = os.fspath(path)
    text = read_text(name, limits)
    delimiter = "\t" if suffix(name).lower() == ".tsv" else ","
    header, records, broken = _read_rows(name, text, delimiter)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"CSV header lacks required column(s) {', '.join(missing)} (has: {', '.join(header)})", 1)
    col = {field: header.index(field) for field in REQUIRED + OPTIONAL if field in header}
    calls: dict[str, tuple[CallMeta, list[tuple[str, str, float | None, float | None, int]], int]] = {}
    bad_rows: list[Problem] = []
    # Column positions resolved once, and short rows padded with None, so
    # that a row costs plain indexing rather than a lookup per cell (the
    # per-row work was ~40% of loading a CSV call). A turn is kept as a
    # tuple until its call is built: the collector soon stops tracking a
    # tuple of strings and numbers, and a whole file's turns wait here.
    width = len(header)
    i_id, i_speaker, i_text = col["call_id"], col["speaker"], col["text"]
    i_start, i_end = col.get("start"), col.get("end")
    meta_cols = [col.get(k) for k in ("agent_id", "agent_name", "team", "started_at")]
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
    bad_rows += broken
    if not calls and not bad_rows:
        raise InputError("no call rows after the header", 1)
    yield from bad_rows
    for meta, turns, first_line in calls.values():
        warnings: list[str] = []
        source = Source(name, first_line)
        try:
            yield build_call(meta, RawTurns(*map(list, zip(*turns))), source, limits, warnings)
        except InputError as exc:
            yield Problem(name, f"call {meta.call_id}: {exc.reason}", exc.line or first_line)
            continue
        for w in warnings:
            yield Problem(name, f"call {meta.call_id}: {w}", first_line, kind="warning")
