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


def iter_input_files(paths: list[Path], exclude: set[Path] | None = None) -> Iterator[str | Problem]:
    """Yield transcript files (by known extension) and problems for paths that cannot be used.

    Files come as ``str``, not ``Path``: pathlib interns every component of
    every path it parses, and the interning table never shrinks (~2.5 MB of
    a 100,000-file run's memory, measured).
    """
    exclude_real = {str(real_path(p)) for p in (exclude or set())}
    for root in paths:
        if not root.exists():
            yield Problem(str(root), "no such file or folder")
        elif root.is_dir():
            yield from _walk(root, exclude_real, set())
        elif str(real_path(root)) in exclude_real:
            continue
        elif loader_for(root) is None:
            yield Problem(str(root), f"unsupported file type {root.suffix or '(none)'!r}: expected .json, .jsonl, .txt or .csv")
        else:
            yield str(root)


def _excluded(folder: Path, entry: os.DirEntry[str], exclude: set[str], folder_real: list[str]) -> bool:
    """Whether a file found in ``folder`` is one of the excluded files (as real paths).

    A file that is not a symlink is, resolved, its resolved folder plus its
    name: the folder is resolved once (into ``folder_real``), not every file
    again, component by component (``resolve`` was most of finding 10,000 files).
    """
    try:
        linked = entry.is_symlink()
    except OSError:
        linked = True
    if linked:
        return str(real_path(Path(entry.path))) in exclude
    if not folder_real:
        folder_real.append(str(real_path(folder)))
    return os.path.join(folder_real[0], entry.name) in exclude


def _walk(folder: Path, exclude: set[str], visited: set[tuple[int, int]]) -> Iterator[str | Problem]:
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
    folder_real: list[str] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from _walk(Path(entry.path), exclude, visited)
        elif loader_for(entry.name) is not None and not (exclude and _excluded(folder, entry, exclude, folder_real)):
            yield entry.path
