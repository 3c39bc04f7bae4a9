"""Checklists already read: the validated checklist and its warnings, kept by the bytes of the file.

Reading the default checklist cost ~0.085 s of every audit's start-up: the
round-trip YAML parse that keeps line numbers for messages, validation, and
the semantic checks that read every example dialogue. A team audits with the
same checklist day after day, so once a file has been read without errors its
validated form is kept as JSON in the user's cache folder and read back in
~1 ms the next time.

The key is a hash of the file's bytes and of the code that reads them (every
module of this package and of the libraries it reads and checks them with,
by size and modification time), so an edited checklist, another release or
an edited source tree is never served an old reading. Only checklists without errors are kept; their
warnings are kept without the file name and given the current one. The cache
is an optimisation only: an entry that cannot be read or written is ignored,
and ``AUDITOR_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.checklist.diagnostics import Diagnostic

ENV = "AUDITOR_CACHE_DIR"
OFF = ("off", "0", "no", "false")
KEPT = 64  # entries; the oldest go when a new one is written
_SCHEMA = 1
_PACKAGES = ("pydantic", "pydantic_core", "ruamel.yaml", "re2", "opencc")


def cache_dir() -> Path | None:
    """``$AUDITOR_CACHE_DIR``, else ``$XDG_CACHE_HOME/auditor``, else ``~/.cache/auditor``; ``None`` when turned off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in OFF or not chosen.strip() else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return None if base.startswith("~") else Path(base) / "auditor" / "checklists"


@lru_cache(maxsize=1)
def _code_stamp() -> bytes | None:
    """Size and modification time of every module that reads a checklist: this package and the libraries it uses.

    ``None`` when the package's modules are not files to look at (a zip
    archive, a frozen program): then nothing would tell one build from
    another, and the cache is not used.
    """
    import importlib.util

    import auditor

    stamp = [auditor.__version__, str(_SCHEMA)]
    package = Path(auditor.__file__).resolve().parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                stamp.append(f"{os.path.relpath(os.path.join(folder, name), package)}:{st.st_size}:{st.st_mtime_ns}")
    if len(stamp) == 2:
        return None
    for name in _PACKAGES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin and os.path.exists(origin):
            st = os.stat(origin)
            stamp.append(f"{name}:{origin}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(stamp).encode()


def key(data: bytes) -> str | None:
    """The entry name for a checklist file whose bytes are ``data``; ``None`` when the cache is off or cannot tell builds apart.

    Off, nothing is hashed: stamping the code walks the whole package (~1 ms).
    """
    if cache_dir() is None:
        return None
    stamp = _code_stamp()
    return None if stamp is None else hashlib.sha256(stamp + b"\0" + data).hexdigest()


def read(entry: str | None, path: str) -> tuple[Any, list[Diagnostic]] | None:
    """The checklist and warnings kept under ``entry``, the warnings naming ``path``; ``None`` when there is none usable."""
    folder = cache_dir()
    if folder is None or entry is None:
        return None
    try:
        stored = json.loads((folder / f"{entry}.json").read_bytes())
        from auditor.checklist.schema import Checklist

        checklist = Checklist.model_validate(stored["checklist"])
        warnings = [Diagnostic(path, w["line"], w["column"], w["key"], w["message"], w["severity"]) for w in stored["warnings"]]
    except (OSError, ValueError, KeyError, TypeError):  # none yet, or damaged: read the file instead
        return None
    return checklist, warnings


def write(entry: str | None, checklist: Any, warnings: list[Diagnostic]) -> None:
    """Keep a checklist that was read without errors; any failure leaves the cache as it was."""
    folder = cache_dir()
    if folder is None or entry is None:
        return
    stored = {
        "checklist": checklist.model_dump(mode="json", by_alias=True),
        "warnings": [{"line": w.line, "column": w.column, "key": w.key, "message": w.message, "severity": w.severity} for w in warnings],
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{entry}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(stored, fh, ensure_ascii=False)
            os.replace(temp, folder / f"{entry}.json")
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _prune(folder)
    except OSError:
        pass


def _prune(folder: Path) -> None:
    """Keep the ``KEPT`` most recently written entries."""
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[KEPT:]:
        old.unlink(missing_ok=True)
