"""Outputs appear whole or not at all.

Every writer writes to a temporary file in the destination folder and renames
it over the target only when complete, so a crash or Ctrl-C never leaves a
half-written workbook where a good one was.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class AtomicPath:
    """A temporary sibling of ``target``; ``commit()`` renames it into place, ``discard()`` removes it."""

    def __init__(self, target: Path) -> None:
        self.target = target
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path("."))
        os.close(fd)
        self.temp = Path(name)

    def commit(self) -> None:
        os.replace(self.temp, self.target)

    def discard(self) -> None:
        try:
            self.temp.unlink()
        except FileNotFoundError:
            pass
