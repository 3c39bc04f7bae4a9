"""The optional manifest: call metadata kept outside the transcripts.

Many ASR exports carry only the words; the agent, team and time live in the
telephony system. A manifest row fills whatever a call lacks, matched by
``call_id`` or by ``file`` (relative to the manifest's folder).
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from auditor.transcripts.discovery import real_path
from auditor.transcripts.errors import InputError
from auditor.transcripts.formats._read import read_text
from auditor.transcripts.building import LoadLimits
from auditor.transcripts.model import Call

FIELDS = ("agent_id", "agent_name", "team", "started_at")


class Manifest:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.by_call: dict[str, dict[str, str]] = {}
        self.by_file: dict[Path, dict[str, str]] = {}
        text = read_text(path, LoadLimits())
        reader = csv.DictReader(text.split("\n"))
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if "call_id" not in header and "file" not in header:
            raise InputError("manifest needs a 'call_id' or a 'file' column", 1)
        reader.fieldnames = header
        for row in reader:
            values = {k: (row.get(k) or "").strip() for k in FIELDS + ("call_id",)}
            values = {k: v for k, v in values.items() if v}
            if row.get("file"):
                self.by_file[real_path(path.parent / row["file"].strip())] = values
            elif values.get("call_id"):
                self.by_call[values["call_id"]] = values

    def apply(self, call: Call) -> Call:
        row = self.by_file.get(real_path(Path(call.source.path))) if self.by_file else None
        if row is None:
            row = self.by_call.get(call.call_id)
        if not row:
            return call
        updates = {k: row[k] for k in FIELDS if k in row and not getattr(call, k)}
        if "call_id" in row and call.source.line is None and row["call_id"] != call.call_id:
            updates["call_id"] = row["call_id"]
        return replace(call, **updates) if updates else call
