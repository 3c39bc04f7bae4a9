"""The JSON shape of one call, validated with pydantic.

JSON and JSON Lines share this schema; pydantic gives us error locations such
as ``turns[3].text`` for free, which is what a QA lead needs to fix an export.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from auditor.locations import loc_path
from auditor.transcripts.building import LoadLimits, RawTurn, build_call
from auditor.transcripts.errors import InputError
from auditor.transcripts.model import Call, CallMeta, Source


class TurnRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


class CallRecord(BaseModel):
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True)
    call_id: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    team: str | None = None
    started_at: str | None = None
    turns: list[TurnRecord]


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        parts.append(f"{loc_path(tuple(err['loc'])) or '(top level)'}: {err['msg']}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_json(text: str, line: int | None = None) -> Any:
    """``json.loads`` with every way it can fail turned into ``InputError``.

    Raw control characters inside strings are accepted (``strict=False``):
    exports carry stray tabs and NULs, and ``build_call`` strips them anyway.
    Integers too long for Python's int-parsing limit raise ``ValueError`` and
    deep nesting ``RecursionError``; both are bad input, not crashes.
    """
    try:
        return json.loads(text, strict=False)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno if line is None else line) from None
    except RecursionError:
        raise InputError("JSON nested too deeply to parse", line) from None
    except ValueError as exc:  # Python refuses to parse integers of more than 4,300 digits
        reason = "a number has too many digits" if "integer string conversion" in str(exc) else str(exc)
        raise InputError(f"invalid JSON: {reason}", line) from None


def call_from_object(obj: Any, default_id: str, source: Source, limits: LoadLimits, warnings: list[str]) -> Call:
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object with 'turns', got a JSON {type(obj).__name__}", source.line)
    turns = obj.get("turns")
    if isinstance(turns, list) and len(turns) > limits.max_turns:
        # Refuse before validating: 200,000 pydantic models would cost far more than the list.
        raise InputError(f"the call has {len(turns)} turns, more than the limit of {limits.max_turns} (raise it with --max-turns)", source.line)
    try:
        record = CallRecord.model_validate(obj)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc), source.line) from None
    meta = CallMeta(
        call_id=record.call_id or default_id,
        agent_id=record.agent_id,
        agent_name=record.agent_name,
        team=record.team,
        started_at=record.started_at,
    )
    raw = [RawTurn(t.speaker, t.text, t.start, t.end, source.line) for t in record.turns]
    return build_call(meta, raw, source, limits, warnings)
