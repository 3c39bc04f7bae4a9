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
    """``Path(path).stem``: the name without its ``suffix``."""
    name = path.rpartition("/")[2]
    return name[: len(name) - len(suffix(name))]


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)


def _open_fd(path: PathLike) -> tuple[int, int]:
    """Open for binary reading, refusing anything that is not a regular file.

    A FIFO named ``x.json`` would block the batch forever and a symlink to
    ``/dev/zero`` would never end. ``O_NONBLOCK`` lets the open of a FIFO
    return at once, and ``fstat`` on the open descriptor (not the name, which
    could change in between) tells us what we really got. Returns the
    descriptor and the file's size.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InputError("is a folder, not a file" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, pipe or socket); not read")
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


def _too_big(limits: LoadLimits) -> str:
    return f"over the limit of {limits.max_file_mb:g} MB (raise it with --max-file-mb)"


def _read_bounded(fd: int, size: int, limits: LoadLimits) -> bytes:
    """The whole file, or ``InputError`` past the limit.

    Reads the size ``fstat`` gives plus one byte, so a file costs one buffer
    of its own size (reading ``limit + 1`` at once allocated the whole limit,
    64 MB, for every file); a file that grows meanwhile is read on to EOF,
    bounded by the limit as before. Kept lean, the limit's message made
    only when needed: reading a 3 KB file went from ~10.5 to ~9 µs, ~6 of
    them the system calls.
    """
    limit = limits.max_file_bytes
    if size > limit:
        raise InputError(f"file is {size / 1048576:.1f} MB, {_too_big(limits)}")
    want = size + 1
    data = os.read(fd, want)
    while data and len(data) <= limit:
        if len(data) >= want:
            want = limit + 1
        more = os.read(fd, want - len(data))
        if not more:
            break
        data += more
    if len(data) > limit:
        raise InputError(f"file grew while being read and is {_too_big(limits)}")
    return data


def read_bytes(path: PathLike, limits: LoadLimits) -> bytes:
    """A file's bytes, refusing files over the limit before reading them."""
    fd, size = _open_fd(path)
    try:
        return _read_bounded(fd, size, limits)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def decode_file(data: bytes) -> str:
    """A whole file's bytes as text, line ends made ``\\n``; ``InputError`` for an empty or undecodable file."""
    if not data or data.isspace():  # what ``not data.strip()`` says, without copying the file
        raise InputError("empty file")
    text, _ = decode_bytes(data)
    if "\r" in text:  # rare, and the check costs a twentieth of the replacing
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def read_text(path: PathLike, limits: LoadLimits) -> str:
    """Decode a file whole, refusing files over the limit before reading them."""
    return decode_file(read_bytes(path, limits))
