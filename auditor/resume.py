"""Resuming a long batch that was killed, interrupted or extended.

While a run goes on, every audited call is appended to a progress journal
next to the results file (``results.jsonl.partial``). It reaches the OS in
64 KB writes (~25 calls): a crash or Ctrl-C closes the journal and keeps
every call, a ``kill -9`` loses at most the last 64 KB, which ``--resume``
simply audits again. Its first line records a
fingerprint of the checklist, tool version and ``--redact`` setting; a
finished run removes it (the results file then holds everything).

``--resume`` indexes the journal and the existing results file, and the
pipeline asks the index before auditing each call: a call whose source
(path and line), content hash and metadata match a record is taken from the
record instead of being audited again; an edited transcript has another
content hash and is audited afresh. Calls still come out in file order and
go through the same writers, so the final workbook and results equal those
of an uninterrupted run.

Memory stays bounded: the index keeps a 16-byte key and a file offset per
call, never the records; a record is read back from disk when it is used.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from auditor import __version__
from auditor.detectors.base import Evidence
from auditor.engine import CallResult, ItemResult
from auditor.reports.results import call_line, json_line
from auditor.transcripts.model import Call

JOURNAL_SUFFIX = ".partial"
JOURNAL_SCHEMA = 1
# Written to the OS in pieces of this size. A write a call (the line flushed
# as it came) cost 8 µs of a 290 µs call, as much as a detector, to save no
# more than ~25 calls' work from a kill -9.
JOURNAL_BUFFER = 1 << 16
_META = ("call_id", "agent_id", "agent_name", "team", "started_at")


def journal_path(results: Path) -> Path:
    return results.with_name(results.name + JOURNAL_SUFFIX)


def fingerprint(checklist: Any, redacted: bool) -> str:
    """What must not change between a killed run and its resumption for a record to be reused."""
    spec = checklist.spec.model_dump_json(by_alias=True)
    return hashlib.sha256(f"{__version__}\x1f{int(redacted)}\x1f{spec}".encode()).hexdigest()


def _key(path: str, line: int | None, content_hash: str, meta: tuple[str | None, ...]) -> bytes:
    text = "\x1f".join([path, str(line or ""), content_hash, *(m or "" for m in meta)])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _record_key(rec: dict[str, Any]) -> bytes:
    source = rec.get("source") or {}
    return _key(str(source.get("path", "")), source.get("line"), str(rec.get("content_hash", "")), tuple(rec.get(k) for k in _META))


def result_from_record(rec: dict[str, Any]) -> CallResult:
    """The inverse of ``reports.results.call_record`` for everything the writers and scoreboard use."""
    items = {}
    for item_id, entry in rec["items"].items():
        evidence = [
            Evidence(e["turn"], e["speaker"], e["text"], e["match"], e.get("start"), tuple(e["span"]) if e.get("span") is not None else None, e.get("note", ""))
            for e in entry.get("evidence", [])
        ]
        items[item_id] = ItemResult(entry["status"], evidence, dict(entry.get("metrics", {})))
    source = rec["source"]
    return CallResult(
        rec["call_id"], rec["agent_id"], rec["agent_name"], rec["team"], rec["started_at"], source["path"], source["line"],
        rec["content_hash"], rec["turns"], items, rec["score"], list(rec["critical_items"]),
    )


class ProgressJournal:
    """A sink (``add_call``/``close``/``abort``) that keeps completed calls on disk until the run is written.

    On ``--resume`` it appends to the journal of the killed run (after cutting
    a last line the kill left half-written) instead of starting over, and
    skips calls that are already on disk, so a run killed twice loses nothing.
    """

    def __init__(self, path: Path, fingerprint: str, redact: Callable[[str], str] | None = None, index: "ResumeIndex | None" = None) -> None:
        self.path = path
        self.redact = redact
        self.index = index
        self.calls = 0
        if index is not None and str(path) in index.files:
            _cut_partial_line(path)
            self.kept = True
            self.fh: IO[bytes] | None = path.open("ab", buffering=JOURNAL_BUFFER)
        else:
            self.kept = False
            self.fh = path.open("wb", buffering=JOURNAL_BUFFER)
            self._write({"type": "progress", "schema": JOURNAL_SCHEMA, "fingerprint": fingerprint})

    def _write(self, record: dict[str, Any]) -> None:
        self._put(json_line(record, self.redact))

    def _put(self, line: bytes) -> None:
        assert self.fh is not None
        self.fh.write(line)

    def add_call(self, result: CallResult) -> None:
        if self.index is not None and self.index.key_of_result(result) in self.index.offsets:
            return  # already on disk, in the results file or this journal
        self._put(call_line(result, self.redact))
        self.calls += 1

    def _close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    def close(self, board: object, problems: list, run: dict[str, Any]) -> None:
        """The results file is complete: the journal has served its purpose."""
        self._close()
        if self.index is not None:
            self.index.close()
        self.path.unlink(missing_ok=True)

    def abort(self) -> None:
        """Keep what was audited for ``--resume`` (nothing to keep if nothing was audited)."""
        self._close()
        if not (self.calls or self.kept):
            self.path.unlink(missing_ok=True)


def _cut_partial_line(path: Path) -> None:
    """Truncate ``path`` after its last newline: a kill can leave the last record half-written."""
    with path.open("rb+") as fh:
        end = fh.seek(0, os.SEEK_END)
        pos = end
        while pos > 0:
            step = min(pos, 1 << 16)
            fh.seek(pos - step)
            chunk = fh.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                if pos - step + nl + 1 != end:
                    fh.truncate(pos - step + nl + 1)
                return
            pos -= step
        fh.truncate(0)


class ResumeIndex:
    """Completed calls found on disk, looked up by source, content hash and metadata.

    Called by the pipeline with each loaded call; returns the stored result or
    ``None`` (audit it). Picklable for worker processes: file handles are
    opened lazily per process, never shared across a fork.
    """

    def __init__(self, fingerprint: str, redact: Callable[[str], str] | None = None) -> None:
        self.fingerprint = fingerprint
        self.redact = redact
        self.files: list[str] = []
        self.offsets: dict[bytes, tuple[int, int]] = {}
        self.skipped_sources: list[str] = []
        self._handles: dict[int, IO[bytes]] = {}
        self._pid = os.getpid()

    def __len__(self) -> int:
        return len(self.offsets)

    def add_file(self, path: Path) -> int:
        """Index the call records of a journal or results file; returns how many were usable."""
        if not path.is_file():
            return 0
        number = len(self.files)
        found: dict[bytes, tuple[int, int]] = {}
        fingerprint_ok = None
        with path.open("rb") as fh:
            offset = 0
            for raw in fh:
                here, offset = offset, offset + len(raw)
                if not raw.endswith(b"\n"):
                    break  # the last line of a killed run may be cut short
                try:
                    rec = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(rec, dict):
                    continue
                kind = rec.get("type")
                if kind == "call":
                    found[_record_key(rec)] = (number, here)
                elif kind == "progress":
                    fingerprint_ok = rec.get("fingerprint") == self.fingerprint
                elif kind == "run":
                    fingerprint_ok = rec.get("resume_fingerprint") == self.fingerprint
        if not fingerprint_ok:
            # Another checklist, tool version or --redact setting: nothing in it can be reused.
            self.skipped_sources.append(str(path))
            return 0
        self.files.append(str(path))
        self.offsets.update(found)
        return len(found)

    def _handle(self, number: int) -> IO[bytes]:
        if self._pid != os.getpid():
            self._handles, self._pid = {}, os.getpid()
        fh = self._handles.get(number)
        if fh is None:
            fh = self._handles[number] = open(self.files[number], "rb")  # noqa: SIM115 (kept open for the run)
        return fh

    def _key_of(self, path: str, line: int | None, content_hash: str, meta: tuple[str | None, ...]) -> bytes:
        """The key a record written by this run would have (masked like the record when ``--redact`` is on)."""
        r = self.redact or (lambda s: s)
        return _key(r(path), line, content_hash, tuple(r(v) if isinstance(v, str) else v for v in meta))

    def key_of_result(self, result: CallResult) -> bytes:
        return self._key_of(result.source_path, result.source_line, result.content_hash,
                            (result.call_id, result.agent_id, result.agent_name, result.team, result.started_at))

    def __call__(self, call: Call) -> CallResult | None:
        if not self.offsets:
            return None
        where = self.offsets.get(self._key_of(call.source.path, call.source.line, call.content_hash,
                                              (call.call_id, call.agent_id, call.agent_name, call.team, call.started_at)))
        if where is None:
            return None
        try:
            fh = self._handle(where[0])
            fh.seek(where[1])
            return result_from_record(json.loads(fh.readline()))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged record, or a worker on a machine without the file: audit the call again

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_handles"] = {}
        return state

    def close(self) -> None:
        for fh in self._handles.values():
            fh.close()
        self._handles = {}


def build_index(results: Path, fingerprint: str, redact: Callable[[str], str] | None = None) -> ResumeIndex:
    """The index over the existing results file and then the journal of a killed run (newer wins)."""
    index = ResumeIndex(fingerprint, redact)
    index.add_file(results)
    index.add_file(journal_path(results))
    return index
