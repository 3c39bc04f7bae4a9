"""Outputs appear whole or not at all.

Every writer writes to a temporary file in the destination folder and renames
it over the target only when complete, so a crash or Ctrl-C never leaves a
half-written workbook where a good one was.
"""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path


class AtomicPath:
    """A temporary sibling of ``target``; ``commit()`` renames it into place, ``discard()`` removes it."""

    def __init__(self, target: Path) -> None:
        self.target = target
        sweep_stale(target)
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent or Path("."))
        os.close(fd)
        self.temp = Path(name)

    def commit(self) -> None:
        os.replace(self.temp, self.target)

    def discard(self) -> None:
        try:
            self.temp.unlink()
        except FileNotFoundError:
            pass


def sweep_stale(target: Path) -> None:
    """Remove temporary siblings of ``target`` left by runs that were killed (``kill -9``, power loss).

    The writing process's id is in the name; a temporary file whose process
    no longer exists can only be debris, never another run's work in progress.
    """
    folder = target.parent or Path(".")
    for temp in folder.glob(f".{glob.escape(target.name)}.*.tmp"):
        pid = temp.name[len(target.name) + 2 :].split(".", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            temp.unlink(missing_ok=True)
        except OSError:
            pass  # alive (or not ours to ask about): leave it
