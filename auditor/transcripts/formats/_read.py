"""Reading a whole transcript file within the size limit."""

from __future__ import annotations

from pathlib import Path

from auditor.transcripts.building import LoadLimits
from auditor.transcripts.encoding import decode_bytes
from auditor.transcripts.errors import InputError


def read_text(path: Path, limits: LoadLimits) -> str:
    """Decode a file whole, refusing files over the limit before reading them."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(f"file is {size / 1048576:.1f} MB, over the limit of {limits.max_file_mb:g} MB (raise it with --max-file-mb)")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError("empty file")
    text, _ = decode_bytes(data)
    return text.replace("\r\n", "\n").replace("\r", "\n")
