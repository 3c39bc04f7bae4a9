"""The JSON shape of one call, validated with pydantic.

JSON and JSON Lines share this schema; pydantic gives us error locations such
as ``turns[3].text`` for free, which is what a QA lead needs to fix an export.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import from_json

from auditor.locations import loc_path
from auditor.transcripts.building import LoadLimits, RawTurns, build_call
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


# ``json.loads(text, strict=False)`` builds a decoder (and its scanner) per
# call; one shared decoder, which holds no state between calls, saves that.
_DECODER = json.JSONDecoder(strict=False)

# The number of digits past which pydantic-core refuses an integer, as Python does by default.
_JITER_INT_DIGITS = 4300
_REFUSED = object()


def _parse_fast(text: str) -> Any:
    """``text`` parsed by pydantic-core's JSON parser, about twice as fast as ``json``; ``_REFUSED`` if it fails.

    Where it succeeds it gives exactly what ``json.loads`` gives (checked by
    fuzzing: numbers, NaN, duplicate keys, escapes); it refuses what
    ``json`` refuses and more (raw control characters, escaped lone
    surrogates, nesting past 200), and all of that goes to ``json`` for its
    own result or message. A lowered ``sys.set_int_max_str_digits`` would
    make ``json`` refuse integers pydantic-core reads, so then it is not used.
    """
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    if 0 < limit < _JITER_INT_DIGITS:
        return _REFUSED
    try:
        return from_json(text)
    except Exception:  # ValueError for bad JSON; nothing it raises is ours to report
        return _REFUSED


def parse_json(text: str, line: int | None = None) -> Any:
    """``json.loads`` with every way it can fail turned into ``InputError``.

    Raw control characters inside strings are accepted (``strict=False``):
    exports carry stray tabs and NULs, and ``build_call`` strips them anyway.
    Integers too long for Python's int-parsing limit raise ``ValueError`` and
    deep nesting ``RecursionError``; both are bad input, not crashes.
    """
    value = _parse_fast(text)
    if value is not _REFUSED:
        return value
    try:
        if text.startswith("\ufeff"):  # as json.loads refuses it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno if line is None else line) from None
    except RecursionError:
        raise InputError("JSON nested too deeply to parse", line) from None
    except ValueError as exc:  # Python refuses to parse integers of more than 4,300 digits
        reason = "a number has too many digits" if "integer string conversion" in str(exc) else str(exc)
        raise InputError(f"invalid JSON: {reason}", line) from None


_META_FIELDS = ("call_id", "agent_id", "agent_name", "team", "started_at")


def _plain_columns(obj: dict[str, Any], line: int | None) -> RawTurns | None:
    """The turns of a call whose every value is already what ``CallRecord`` would make of it; else ``None``.

    Strings, floats and missing or null values come out of pydantic unchanged,
    so for such a call (every real export) validating is only checking, and
    this check costs a third of building 20 models. Anything else (a number
    as a string field, a bool, a missing field) returns ``None`` and goes
    through pydantic, for its coercions and its error messages.
    """
    for name in _META_FIELDS:
        value = obj.get(name)
        if value is not None and type(value) is not str:
            return None
    turns = obj["turns"]
    if type(turns) is not list:
        return None
    raw = RawTurns()
    speakers, texts, starts, ends = raw.speakers, raw.texts, raw.starts, raw.ends
    for turn in turns:
        if type(turn) is not dict:
            return None
        speaker = turn.get("speaker")
        text = turn.get("text")
        start = turn.get("start")
        end = turn.get("end")
        if (type(speaker) is not str or type(text) is not str or (start is not None and type(start) is not float)
                or (end is not None and type(end) is not float)):
            return None
        speakers.append(speaker)
        texts.append(text)
        starts.append(start)
        ends.append(end)
    raw.lines = [line] * len(texts)
    return raw


def _validated_columns(obj: Any, line: int | None) -> tuple[CallRecord, RawTurns]:
    try:
        record = CallRecord.model_validate(obj)
    except ValidationError as exc:
        raise InputError(describe_validation_error(exc), line) from None
    raw = RawTurns()
    for t in record.turns:
        raw.add(t.speaker, t.text, t.start, t.end, line)
    return record, raw


def _plain_call(obj: dict[str, Any], default_id: str, source: Source, limits: LoadLimits, warnings: list[str]) -> Call | None:
    """The call, built straight from ``obj`` when ``_plain_columns`` takes it; else ``None``."""
    raw = _plain_columns(obj, source.line) if "turns" in obj else None
    if raw is None:
        return None
    get = obj.get
    meta = CallMeta(get("call_id") or default_id, get("agent_id"), get("agent_name"), get("team"), get("started_at"))
    return build_call(meta, raw, source, limits, warnings)


def call_from_object(obj: Any, default_id: str, source: Source, limits: LoadLimits, warnings: list[str]) -> Call:
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object with 'turns', got a JSON {type(obj).__name__}", source.line)
    turns = obj.get("turns")
    if isinstance(turns, list) and len(turns) > limits.max_turns:
        # Refuse before validating: 200,000 pydantic models would cost far more than the list.
        raise InputError(f"the call has {len(turns)} turns, more than the limit of {limits.max_turns} (raise it with --max-turns)", source.line)
    if type(obj) is dict:
        call = _plain_call(obj, default_id, source, limits, warnings)
        if call is not None:
            return call
    record, raw = _validated_columns(obj, source.line)
    meta = CallMeta(record.call_id or default_id, record.agent_id, record.agent_name, record.team, record.started_at)
    return build_call(meta, raw, source, limits, warnings)


def call_from_json(data: bytes | bytearray, default_id: str, source: Source, limits: LoadLimits, warnings: list[str],
                   decode: Callable[[bytes | bytearray], str]) -> Call:
    """The call in JSON ``data`` (one file, or one JSONL line at ``source.line``), ``decode`` giving its text when needed.

    orjson parses the bytes as they are read, with no decoding first:
    ~8 µs a call where decoding and pydantic-core took ~17. It accepts
    strictly less than ``json`` (invalid UTF-8, a BOM, raw control
    characters, escaped lone surrogates, NaN, numbers beyond a double and
    deep nesting all fail it), and where it accepts, it gives what
    ``json.loads`` gives for the decoded text, floats rounded alike (checked
    on 200,000 random numbers), with one exception: an integer beyond 64
    bits comes back as a float. A float is only taken where a float is
    wanted (a turn's start or end), where pydantic makes that same float of
    the integer; anything else that is not plain (``_plain_columns``) is
    decoded, parsed and validated the exact way, so no message changes.
    """
    call = _call_from_plain_json(data, default_id, source, limits, warnings)
    if call is None:
        call = call_from_object(parse_json(decode(data), source.line), default_id, source, limits, warnings)
    return call


def _call_from_plain_json(data: bytes | bytearray, default_id: str, source: Source, limits: LoadLimits, warnings: list[str]) -> Call | None:
    """The call by orjson and ``_plain_call``, or ``None`` when only the exact way can tell (see ``call_from_json``)."""
    try:
        obj = orjson.loads(data)
    except ValueError:
        return None
    if type(obj) is not dict:
        return None
    turns = obj.get("turns")
    if type(turns) is list and len(turns) > limits.max_turns:
        return None
    return _plain_call(obj, default_id, source, limits, warnings)
