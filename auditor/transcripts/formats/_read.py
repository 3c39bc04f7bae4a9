"""Reading a whole transcript file within the size limit."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.encoding import decode_bytes
from auditor.transcripts.errors import InputError


def open_regular(path: Path) -> BinaryIO:
    """Open for binary reading, refusing anything that is not a regular file.

    A FIFO named ``x.json`` would block the batch forever and a symlink to
    ``/dev/zero`` would never end. ``O_NONBLOCK`` lets the open of a FIFO
    return at once, and ``fstat`` on the open descriptor (not the name, which
    could change in between) tells us what we really got.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise InputError("not a regular file (a device, pipe or socket); not read")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text(path: Path, limits: LoadLimits) -> str:
    """Decode a file whole, refusing files over the limit before reading them."""
    limit = limits.max_file_bytes
    too_big = f"over the limit of {limits.max_file_mb:g} MB (raise it with --max-file-mb)"
    with open_regular(path) as fh:
        try:
            size = os.fstat(fh.fileno()).st_size
            if size > limit:
                raise InputError(f"file is {size / 1048576:.1f} MB, {too_big}")
            data = fh.read(limit + 1)  # bounded even if the file grows while we read
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"file grew while being read and is {too_big}")
    if not data.strip():
        raise InputError("empty file")
    text, _ = decode_bytes(data)
    return text.replace("\r\n", "\n").replace("\r", "\n")
