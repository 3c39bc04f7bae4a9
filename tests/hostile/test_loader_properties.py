"""Property tests: whatever bytes or JSON a file holds, loaders raise nothing but ``InputError``.

Every loader is called directly (where ``InputError`` is the one allowed
exception) and through ``load_file`` (which must never raise and turns it
into a ``Problem``). Calls that do load must be safe for every writer
downstream: text that encodes as UTF-8, no control characters, one-line ids.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.transcripts import Call, InputError, LoadLimits, Problem, load_file
from auditor.transcripts.formats import LOADERS

LIMITS = LoadLimits(max_file_mb=1, max_turns=500, max_turn_chars=2_000)
SUFFIXES = sorted(LOADERS)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)
speakers = st.sampled_from(["客服", "客户", "agent", "customer", "A", "c", "机器人", ""]) | st.text(max_size=5)
turn_like = st.dictionaries(st.sampled_from(["speaker", "text", "start", "end", "extra"]), json_values, max_size=5) | st.fixed_dictionaries(
    {"speaker": speakers | json_values, "text": st.text() | json_values}, optional={"start": json_values, "end": json_values})
call_like = st.fixed_dictionaries(
    {"turns": st.lists(turn_like, max_size=8) | json_values},
    optional={k: json_values | st.text() for k in ("call_id", "agent_id", "agent_name", "team", "started_at")},
)


def _check_safe(call: Call) -> None:
    for value in (call.call_id, call.agent_id, call.agent_name, call.team, call.started_at):
        if value is not None:
            value.encode("utf-8")
            assert not CONTROL.search(value) and "\n" not in value
    for turn in call.turns:
        turn.text.encode("utf-8")
        assert not CONTROL.search(turn.text)
        assert len(turn.text) <= LIMITS.max_turn_chars


def _load_everywhere(data: bytes, suffixes=SUFFIXES) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in suffixes:
            path = Path(tmp) / f"x{suffix}"
            path.write_bytes(data)
            try:
                items = list(LOADERS[suffix](path, LIMITS))
            except InputError as exc:
                assert exc.reason
                items = []
            for item in items:
                assert isinstance(item, (Call, Problem))
                if isinstance(item, Call):
                    _check_safe(item)
            wrapped = list(load_file(path, LIMITS))
            assert all(isinstance(i, (Call, Problem)) for i in wrapped)
            assert len(wrapped) >= 1


@SETTINGS
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(data):
    _load_everywhere(data)


@SETTINGS
@given(st.text(max_size=2000), st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "utf-8-sig"]))
def test_arbitrary_text_in_any_encoding(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    _load_everywhere(data)


@SETTINGS
@given(json_values)
def test_arbitrary_json(value):
    text = json.dumps(value, ensure_ascii=False)
    _load_everywhere(text.encode("utf-8", "surrogatepass"), [".json"])
    _load_everywhere((text.replace("\n", " ") + "\n" + text.replace("\n", " ")).encode("utf-8", "surrogatepass"), [".jsonl", ".ndjson"])


@SETTINGS
@given(call_like, st.booleans())
def test_arbitrary_call_shaped_json(value, ascii_only):
    text = json.dumps(value, ensure_ascii=ascii_only)
    _load_everywhere(text.encode("utf-8", "surrogatepass"), [".json", ".jsonl"])


@SETTINGS
@given(st.lists(st.lists(st.text(max_size=20) | st.sampled_from(["C1", "A1", "客服", "客户", "1.5", "x"]), min_size=0, max_size=8), max_size=20))
def test_arbitrary_csv_rows(rows):
    header = "call_id,agent_id,speaker,text,start,end,agent_name\n"
    body = "\n".join(",".join(json.dumps(c, ensure_ascii=False) if "," in c or '"' in c else c for c in row) for row in rows)
    _load_everywhere((header + body).encode("utf-8", "surrogatepass"), [".csv", ".tsv"])


@SETTINGS
@given(st.lists(st.tuples(speakers, st.text(max_size=40)), max_size=30), st.text(max_size=200))
def test_arbitrary_text_transcripts(turns, front):
    body = "---\n" + front + "\n---\n" + "\n".join(f"{s}：{t}" for s, t in turns)
    _load_everywhere(body.encode("utf-8", "surrogatepass"), [".txt"])
