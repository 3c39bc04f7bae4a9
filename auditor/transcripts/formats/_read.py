"""Reading a whole transcript file within the size limit, and naming it."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Union

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.encoding import decode_bytes
from auditor.transcripts.errors import InputError

# Loaders take a ``str`` as well as a ``Path``: a run over 100,000 files
# need not build a Path per file (pathlib also interns every component).
PathLike = Union[str, "os.PathLike[str]"]


def path_text(path: PathLike) -> str:
    """``str(Path(path))``, without building a Path for a string that is already spelled that way.

    Messages name a file exactly as before, whichever the caller passed.
    """
    if isinstance(path, str):
        if not path or path == "." or "//" in path or "/./" in path or path.startswith("./") or path.endswith(("/", "/.")):
            return str(Path(path))
        return path
    return str(path) if isinstance(path, Path) else str(Path(path))


def suffix(path: str) -> str:
    """``Path(path).suffix``."""
    name = path.rpartition("/")[2]
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def stem(path: str) -> str:
    """``Path(path).stem``."""
    name = path.rpartition("/")[2]
    i = name.rfind(".")
    return name[:i] if 0 < i < len(name) - 1 else name


def _open_fd(path: PathLike) -> tuple[int, int]:
    """Open for binary reading, refusing anything that is not a regular file.

    A FIFO named ``x.json`` would block the batch forever and a symlink to
    ``/dev/zero`` would never end. ``O_NONBLOCK`` lets the open of a FIFO
    return at once, and ``fstat`` on the open descriptor (not the name, which
    could change in between) tells us what we really got. Returns the
    descriptor and the file's size.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        mode = st.st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise InputError("not a regular file (a device, pipe or socket); not read")
        os.set_blocking(fd, True)
        return fd, st.st_size
    except BaseException:
        os.close(fd)
        raise


def open_regular(path: PathLike) -> BinaryIO:
    """``_open_fd`` as a buffered binary file."""
    fd, _ = _open_fd(path)
    try:
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_bounded(fd: int, size: int, limit: int, too_big: str) -> bytes:
    """The whole file, or ``InputError`` past ``limit`` bytes.

    Reads the size ``fstat`` gives plus one byte, so a file costs one buffer
    of its own size (reading ``limit + 1`` at once allocated the whole limit,
    64 MB, for every file); a file that grows meanwhile is read on to EOF,
    bounded by the limit as before.
    """
    if size > limit:
        raise InputError(f"file is {size / 1048576:.1f} MB, {too_big}")
    want = size + 1
    data = os.read(fd, want)
    while data and len(data) < limit + 1:
        if len(data) >= want:
            want = limit + 1
        more = os.read(fd, want - len(data))
        if not more:
            break
        data += more
    return data


def read_text(path: PathLike, limits: LoadLimits) -> str:
    """Decode a file whole, refusing files over the limit before reading them."""
    limit = limits.max_file_bytes
    too_big = f"over the limit of {limits.max_file_mb:g} MB (raise it with --max-file-mb)"
    fd, size = _open_fd(path)
    try:
        data = _read_bounded(fd, size, limit, too_big)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputError(f"file grew while being read and is {too_big}")
    if not data or data.isspace():  # what ``not data.strip()`` says, without copying the file
        raise InputError("empty file")
    text, _ = decode_bytes(data)
    if "\r" in text:  # rare, and the check costs a twentieth of the replacing
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
