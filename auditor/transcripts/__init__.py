"""Loading transcripts: find files, decode, parse any of the four formats, normalise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.discovery import iter_input_files
from auditor.transcripts.errors import InputError
from auditor.transcripts.formats import loader_for
from auditor.transcripts.model import Call, Problem, Source, Turn

__all__ = ["Call", "InputError", "LoadLimits", "Problem", "Source", "Turn", "iter_input_files", "load_file"]


def load_file(path: Path, limits: LoadLimits) -> Iterator[Call | Problem]:
    """Every call in one file, and a ``Problem`` for whatever could not be read; never raises."""
    loader = loader_for(path)
    if loader is None:
        yield Problem(str(path), f"unsupported file type {path.suffix!r}")
        return
    try:
        yield from loader(path, limits)
    except InputError as exc:
        yield Problem(str(path), exc.reason, exc.line)
    except RecursionError:
        yield Problem(str(path), "nested too deeply to parse")
    except MemoryError:
        yield Problem(str(path), "too large to parse in memory")
