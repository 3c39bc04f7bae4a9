"""Loading transcripts: find files, decode, parse any of the four formats, normalise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.discovery import iter_input_files
from auditor.transcripts.errors import InputError
from auditor.transcripts.formats import loader_for
from auditor.transcripts.formats._read import path_text, suffix
from auditor.transcripts.model import Call, Problem, Source, Turn

__all__ = ["Call", "InputError", "LoadLimits", "Problem", "Source", "Turn", "iter_input_files", "load_file"]


def load_file(path: Path | str, limits: LoadLimits) -> Iterator[Call | Problem]:
    """Every call in one file, and a ``Problem`` for whatever could not be read; never raises.

    ``path`` may be a ``str``: a run need not build a ``Path`` per file. It
    is named in calls and problems as ``str(Path(path))``.
    """
    name = path_text(path)
    loader = loader_for(name)
    if loader is None:
        yield Problem(name, f"unsupported file type {suffix(name)!r}")
        return
    try:
        yield from loader(name, limits)
    except InputError as exc:
        yield Problem(name, exc.reason, exc.line)
    except RecursionError:
        yield Problem(name, "nested too deeply to parse")
    except MemoryError:
        yield Problem(name, "too large to parse in memory")
