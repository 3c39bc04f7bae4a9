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
    if value is None or not value.strip():
        return None
    try:
        return float(value)
    except ValueError:
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
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            get = lambda name: row[col[name]] if name in col and col[name] < len(row) else None  # noqa: E731
            call_id = (get("call_id") or "").strip()
            if not call_id:
                bad_rows.append(Problem(str(path), "row has no call_id; skipped", line))
                continue
            try:
                turn = RawTurn(get("speaker") or "", get("text") or "", _float(get("start"), "start", line), _float(get("end"), "end", line), line)
            except InputError as exc:
                bad_rows.append(Problem(str(path), exc.reason, exc.line))
                continue
            if call_id not in calls:
                meta = CallMeta(call_id, *(((get(k) or "").strip() or None) for k in ("agent_id", "agent_name", "team", "started_at")))
                calls[call_id] = (meta, [], line)
            calls[call_id][1].append(turn)
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
