"""Format 1: one call per ``.json`` file."""

from __future__ import annotations

import os
from collections.abc import Iterator

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.model import Call, Problem, Source
from auditor.transcripts.records import call_from_json

from ._read import PathLike, decode_file, read_bytes, stem


def load(path: PathLike, limits: LoadLimits) -> Iterator[Call | Problem]:
    name = os.fspath(path)
    data = read_bytes(name, limits)
    source = Source(name)
    warnings: list[str] = []
    yield call_from_json(data, stem(name), source, limits, warnings, decode_file)
    for w in warnings:
        yield Problem(name, w, kind="warning")
