"""Format 1: one call per ``.json`` file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.errors import InputError
from auditor.transcripts.model import Call, Problem, Source
from auditor.transcripts.records import call_from_object

from ._read import read_text


def load(path: Path, limits: LoadLimits) -> Iterator[Call | Problem]:
    text = read_text(path, limits)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    warnings: list[str] = []
    source = Source(str(path))
    yield call_from_object(obj, path.stem, source, limits, warnings)
    for w in warnings:
        yield Problem(str(path), w, kind="warning")
