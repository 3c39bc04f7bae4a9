"""Format 1: one call per ``.json`` file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.model import Call, Problem, Source
from auditor.transcripts.records import call_from_object, parse_json

from ._read import read_text


def load(path: Path, limits: LoadLimits) -> Iterator[Call | Problem]:
    text = read_text(path, limits)
    obj = parse_json(text)
    warnings: list[str] = []
    source = Source(str(path))
    yield call_from_object(obj, path.stem, source, limits, warnings)
    for w in warnings:
        yield Problem(str(path), w, kind="warning")
