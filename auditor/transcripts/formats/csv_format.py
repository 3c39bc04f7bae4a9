"""Format 4: CSV (or TSV), one row per turn, many calls per file.

The shape CRM and ASR exports take. Rows of one call need not be adjacent;
calls come out in the order their first row appears.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from auditor.transcripts.building import LoadLimits, RawTurn, build_call
from auditor.transcripts.errors import InputError
from auditor.transcripts.model import Call, CallMeta, Problem, Source

from ._read import read_text

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


def load(path: Path, limits: LoadLimits) -> Iterator[Call | Problem]:
    text = read_text(path, limits)
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(text.split("\n"), delimiter=delimiter)
    try:
        header = [h.strip().lower().lstrip("\ufeff") for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise InputError(f"no CSV header: {exc}" if str(exc) else "no CSV header", 1) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(f"CSV header lacks required column(s) {', '.join(missing)} (has: {', '.join(header)})", 1)
    col = {name: header.index(name) for name in REQUIRED + OPTIONAL if name in header}
    calls: dict[str, tuple[CallMeta, list[RawTurn], int]] = {}
    bad_rows: list[Problem] = []
    # Column positions resolved once, and short rows padded with None, so
    # that a row costs plain indexing rather than a lookup per cell (the
    # per-row work was ~40% of loading a CSV call).
    width = len(header)
    i_id, i_speaker, i_text = col["call_id"], col["speaker"], col["text"]
    i_start, i_end = col.get("start"), col.get("end")
    meta_cols = [col.get(k) for k in ("agent_id", "agent_name", "team", "started_at")]
    try:
        for row in reader:
            line = reader.line_num
            if not "".join(row).strip():
                continue
            if len(row) < width:
                row += [None] * (width - len(row))
            call_id = (row[i_id] or "").strip()
            if not call_id:
                bad_rows.append(Problem(str(path), "row has no call_id; skipped", line))
                continue
            try:
                turn = RawTurn(row[i_speaker] or "", row[i_text] or "",
                               None if i_start is None else _float(row[i_start], "start", line),
                               None if i_end is None else _float(row[i_end], "end", line), line)
            except InputError as exc:
                bad_rows.append(Problem(str(path), exc.reason, exc.line))
                continue
            entry = calls.get(call_id)
            if entry is None:
                meta = CallMeta(call_id, *(None if i is None else ((row[i] or "").strip() or None) for i in meta_cols))
                entry = calls[call_id] = (meta, [], line)
            entry[1].append(turn)
    except csv.Error as exc:
        bad_rows.append(Problem(str(path), f"CSV error: {exc}; the rest of the file was not read", reader.line_num))
    if not calls and not bad_rows:
        raise InputError("no call rows after the header", 1)
    yield from bad_rows
    for meta, raw, first_line in calls.values():
        warnings: list[str] = []
        source = Source(str(path), first_line)
        try:
            yield build_call(meta, raw, source, limits, warnings)
        except InputError as exc:
            yield Problem(str(path), f"call {meta.call_id}: {exc.reason}", exc.line or first_line)
            continue
        for w in warnings:
            yield Problem(str(path), f"call {meta.call_id}: {w}", first_line, kind="warning")
