"""One loader per transcript format, chosen by file extension."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.model import Call, Problem

from . import csv_format, json_format, jsonl_format, text_format
from ._read import PathLike, suffix

Loader = Callable[[PathLike, LoadLimits], Iterator["Call | Problem"]]

LOADERS: dict[str, Loader] = {
    ".json": json_format.load,
    ".jsonl": jsonl_format.load,
    ".ndjson": jsonl_format.load,
    ".txt": text_format.load,
    ".csv": csv_format.load,
    ".tsv": csv_format.load,
}


def loader_for(path: Path | str) -> Loader | None:
    """The loader for a file's extension; ``path`` as a ``str`` must be spelled as ``str(Path(...))`` spells it."""
    return LOADERS.get((path.suffix if isinstance(path, Path) else suffix(path)).lower())
