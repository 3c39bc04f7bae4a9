"""Outputs appear whole or not at all.

Every writer writes to a temporary file in the destination folder and renames
it over the target only when complete, so a crash or Ctrl-C never leaves a
half-written workbook where a good one was.

The temporary is created private (``mkstemp`` makes it 0600) so nobody reads
a half-written file; on commit it takes the mode the output would have had if
written in place, so a manager can open a scorecard a service account wrote
to a shared folder.
"""

from __future__ import annotations

import glob
import os
import stat
import tempfile
from pathlib import Path


class AtomicPath:
    """A temporary sibling of ``target``; ``commit()`` renames it into place, ``discard()`` removes it."""

    def __init__(self, target: Path) -> None:
        self.target = target
        sweep_stale(target)
        fd, self.temp = temp_sibling(target.parent or Path("."), target.name)
        os.close(fd)

    def commit(self) -> None:
        os.chmod(self.temp, output_mode(self.target))
        os.replace(self.temp, self.target)

    def discard(self) -> None:
        try:
            self.temp.unlink()
        except FileNotFoundError:
            pass


def temp_sibling(folder: Path, name: str, suffix: str = ".tmp") -> tuple[int, Path]:
    """A new private file in ``folder`` (its descriptor and path) named ``.NAME.PID.….SUFFIX``: what ``sweep_stale`` removes once PID is gone.

    ``suffix`` must end in ``.tmp``.
    """
    fd, temp = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=suffix, dir=folder)
    return fd, Path(temp)


def output_mode(target: Path) -> int:
    """The permissions ``target`` gets: those of the file it replaces, else what ``open()`` would give a new file.

    Keeping a replaced file's mode means yesterday's ``chmod`` on a shared
    scorecard survives today's run, as it would for a file rewritten in place.
    """
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows.

    Setting and restoring it is the only portable way to read it, but for that
    instant a file created by another thread would get no umask at all, so
    Linux's ``/proc`` answer is preferred.
    """
    mask = _umask_from_proc()
    if mask is None:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def _umask_from_proc() -> int | None:
    """The ``Umask:`` line of ``/proc/self/status`` (Linux 4.7 and later); ``None`` where there is none."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return None


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
