"""Finding transcript files under the paths a user gave.

Sorted, hidden entries skipped, symlinked folders followed once (a loop is
reported, not walked forever), so that two runs over the same folder see the
same files in the same order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from auditor.transcripts.formats import loader_for
from auditor.transcripts.model import Problem


def real_path(path: Path) -> Path:
    """``path.resolve()``, except that a symlink loop (``RuntimeError`` on Python < 3.13) gives the absolute path."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def iter_input_files(paths: list[Path], exclude: set[Path] | None = None) -> Iterator[Path | Problem]:
    """Yield transcript files (by known extension) and problems for paths that cannot be used."""
    exclude_real = {real_path(p) for p in (exclude or set())}
    for root in paths:
        if not root.exists():
            yield Problem(str(root), "no such file or folder")
        elif root.is_dir():
            yield from _walk(root, exclude_real, set())
        elif real_path(root) in exclude_real:
            continue
        elif loader_for(root) is None:
            yield Problem(str(root), f"unsupported file type {root.suffix or '(none)'!r}: expected .json, .jsonl, .txt or .csv")
        else:
            yield root


def _walk(folder: Path, exclude: set[Path], visited: set[tuple[int, int]]) -> Iterator[Path | Problem]:
    try:
        st = folder.stat()
    except OSError as exc:
        yield Problem(str(folder), f"cannot open folder: {exc.strerror or exc}")
        return
    key = (st.st_dev, st.st_ino)
    if key in visited:
        yield Problem(str(folder), "symbolic link loop: folder already visited", kind="warning")
        return
    visited = visited | {key}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        yield Problem(str(folder), f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(path, exclude, visited)
        elif loader_for(path) is not None and real_path(path) not in exclude:
            yield path
