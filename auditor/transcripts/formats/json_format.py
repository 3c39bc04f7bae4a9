"""Format 1: one call per ``.json`` file."""

from __future__ import annotations

import os
from collections.abc import Iterator

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.model import Call, Problem, Source
from auditor.transcripts.records import call_from_object, parse_json

from ._read import PathLike, read_text, stem


def load(path: PathLike, limits: LoadLimits) -> Iterator[Call | Problem]:
    name = os.fspath(path)
    obj = parse_json(read_text(name, limits))
    warnings: list[str] = []
    yield call_from_object(obj, stem(name), Source(name), limits, warnings)
    for w in warnings:
        yield Problem(name, w, kind="warning")
