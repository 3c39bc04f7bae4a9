"""Every format and encoding loads into the same Call shape."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from auditor.transcripts import LoadLimits, Problem, load_file
from auditor.transcripts.manifest import Manifest
from auditor.transcripts.model import AGENT, CUSTOMER, OTHER
from auditor.transcripts.normalize import normalize, original_span

from conftest import SAMPLES

TEXT_CALL = """---
call_id: T1
agent_id: A9
agent_name: 周敏
team: 售后一组
started_at: 2026-10-05T09:00:00+08:00
---
[00:01] 客服：您好，请问有什么可以帮您？
客户 [00:05]: 我的宽带断了，
从昨天晚上开始。
A: 好的，我帮您查一下。
C：谢谢
"""


def calls(path: Path):
    return [x for x in load_file(path, LoadLimits()) if not isinstance(x, Problem)]


def problems(path: Path):
    return [x for x in load_file(path, LoadLimits()) if isinstance(x, Problem)]


def test_text_format_roles_timestamps_continuations_front_matter(tmp_path):
    path = tmp_path / "t.txt"
    path.write_text(TEXT_CALL, encoding="utf-8")
    [call] = calls(path)
    assert (call.call_id, call.agent_id, call.agent_name, call.team) == ("T1", "A9", "周敏", "售后一组")
    assert [t.speaker for t in call.turns] == [AGENT, CUSTOMER, AGENT, CUSTOMER]
    assert call.turns[0].start == 1.0 and call.turns[1].start == 5.0
    assert call.turns[1].text == "我的宽带断了，\n从昨天晚上开始。"
    assert call.turns[1].line == 9


def test_text_without_front_matter_takes_file_name_as_call_id(tmp_path):
    path = tmp_path / "outage_0412.txt"
    path.write_text("坐席：喂您好\n顾客：你好\n", encoding="utf-8")
    [call] = calls(path)
    assert call.call_id == "outage_0412" and call.agent_id is None


def test_json_only_turns_required(tmp_path):
    path = tmp_path / "C77.json"
    path.write_text(json.dumps({"turns": [{"speaker": "agent", "text": "您好"}, {"speaker": "customer", "text": "你好"}]}), encoding="utf-8")
    [call] = calls(path)
    assert call.call_id == "C77" and len(call.turns) == 2


def test_jsonl_bad_line_is_named_and_good_lines_audited(tmp_path):
    good = json.dumps({"call_id": "G1", "turns": [{"speaker": "agent", "text": "您好"}]}, ensure_ascii=False)
    path = tmp_path / "batch.jsonl"
    path.write_text(good + "\n{broken\n" + good.replace("G1", "G2") + "\n", encoding="utf-8")
    items = list(load_file(path, LoadLimits()))
    assert [c.call_id for c in items if not isinstance(c, Problem)] == ["G1", "G2"]
    [bad] = [p for p in items if isinstance(p, Problem)]
    assert bad.line == 2 and "invalid JSON" in bad.reason


def test_csv_groups_rows_by_call(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "call_id,agent_id,agent_name,team,speaker,text,start,end,started_at\n"
        "K1,A1,王芳,一组,agent,您好,0,1,2026-10-05\n"
        "K2,A2,李强,二组,客服,你好,0,1,\n"
        'K1,A1,王芳,一组,customer,"我要退款,谢谢",1,2,2026-10-05\n',
        encoding="utf-8",
    )
    k1, k2 = calls(path)
    assert (k1.call_id, k2.call_id) == ("K1", "K2")
    assert [t.text for t in k1.turns] == ["您好", "我要退款,谢谢"]
    assert k2.turns[0].speaker == AGENT and k1.team == "一组"


def test_csv_missing_columns_is_a_clear_problem(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,who,what\n1,agent,hi\n", encoding="utf-8")
    [p] = problems(path)
    assert "lacks required column" in p.reason and p.line == 1


def test_encodings_are_detected_per_file(tmp_path):
    body = "客服：您好，歡迎致電\n客户：我的宽带断了\n"
    variants = {
        "utf8.txt": body.encode("utf-8"),
        "utf8bom.txt": codecs.BOM_UTF8 + body.encode("utf-8"),
        "utf16.txt": body.encode("utf-16"),  # with BOM
        "gbk.txt": body.encode("gb18030"),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        [call] = calls(tmp_path / name)
        assert call.turns[0].text == "您好，歡迎致電", name
        assert call.turns[1].text == "我的宽带断了", name


def test_samples_cover_all_formats_and_load_without_errors():
    files = sorted(p for p in SAMPLES.rglob("*") if p.suffix in {".json", ".jsonl", ".txt", ".csv"} and p.name != "calls.csv")
    assert {p.suffix for p in files} == {".json", ".jsonl", ".txt", ".csv"}
    total = 0
    for f in files:
        assert problems(f) == [], f
        total += len(calls(f))
    assert total >= 24


def test_manifest_fills_missing_metadata_only():
    manifest = Manifest(SAMPLES / "calls.csv")
    [call] = calls(SAMPLES / "text" / "install_1008.txt")
    assert call.agent_id is None
    filled = manifest.apply(call)
    assert filled.agent_id and filled.team


def test_unknown_speaker_is_kept_as_other_with_a_warning(tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"turns": [{"speaker": "agent", "text": "您好"}, {"speaker": "robot", "text": "滴"}]}), encoding="utf-8")
    items = list(load_file(path, LoadLimits()))
    call = next(i for i in items if not isinstance(i, Problem))
    assert call.turns[1].speaker == OTHER
    assert any(isinstance(i, Problem) and i.kind == "warning" and "robot" in i.reason for i in items)


def test_normalisation_for_matching_keeps_original_for_evidence():
    text = "您 好，我的寬帶斷線了！ＡＢＣ"
    norm = normalize(text)
    assert norm == "您好,我的宽带断线了!abc"
    start = norm.index("宽带")
    s, e = original_span(text, start, start + 2)
    assert text[s:e] == "寬帶"


def test_every_format_decodes_every_encoding(tmp_path):
    record = {"call_id": "E1", "turns": [{"speaker": "agent", "text": "您好，歡迎致電"}, {"speaker": "customer", "text": "我要退款"}]}
    bodies = {
        ".json": json.dumps(record, ensure_ascii=False),
        ".jsonl": json.dumps(record, ensure_ascii=False) + "\n",
        ".txt": "客服：您好，歡迎致電\n客户：我要退款\n",
        ".csv": "call_id,agent_id,speaker,text\nE1,A1,agent,您好，歡迎致電\nE1,A1,customer,我要退款\n",
    }
    encodings = {"utf-8": lambda s: s.encode("utf-8"), "utf-8-bom": lambda s: codecs.BOM_UTF8 + s.encode("utf-8"),
                 "utf-16": lambda s: s.encode("utf-16"), "gb18030": lambda s: s.encode("gb18030")}
    for suffix, body in bodies.items():
        for name, encode in encodings.items():
            path = tmp_path / f"{name}{suffix}"
            path.write_bytes(encode(body))
            loaded = calls(path)
            assert problems(path) == [], (path.name, problems(path))
            assert [t.text for t in loaded[0].turns] == ["您好，歡迎致電", "我要退款"], path.name


def test_calls_that_skip_opencc_are_exactly_those_it_would_not_change():
    """The short path skips OpenCC for calls with no character it could change (auditor/transcripts/opencc_keys.py)."""
    from auditor.transcripts.normalize import _careful, _t2s, normalize_all

    assert _careful() is not None, "OpenCC's data is not the analysed one: every call is converted (correct, but slow); see opencc_keys"
    # a phrase-only conversion: 覆 alone stays 覆, 回覆 becomes 回复
    assert normalize_all(["您好", "我已經回覆您了"]) == ["您好", "我已经回复您了"]
    assert normalize_all(["我已经回复您了", "好的"]) == ["我已经回复您了", "好的"]
    # every character OpenCC changes on its own is caught by the search, so those calls take the full path
    convert = _t2s().convert
    changed = [chr(c) for c in range(0x4E00, 0xA000) if convert(chr(c)) != chr(c)]
    assert changed and all(_careful().search(c) for c in changed)


@pytest.mark.parametrize("path", ["a/b.json", "a/.json", "a/b.", "a/b", "x/y/c.tar.gz", "a.b/c", "/abs/C1.jsonl", "..", "a/..json",
                                  "a/b..c", "./x.txt", "a//b.csv", "a/./b.tsv", "dir/"])
def test_file_names_are_read_from_strings_as_pathlib_reads_them(path):
    """Loaders take paths as strings (no Path per file); names, extensions and stems must be pathlib's."""
    from auditor.transcripts.formats._read import path_text, stem, suffix

    assert path_text(path) == str(Path(path))
    assert suffix(path_text(path)) == Path(path).suffix
    assert stem(path_text(path)) == Path(path).stem


def test_content_hash_tells_apart_what_was_said_by_whom_and_not_the_file_format(tmp_path):
    """``--resume`` reuses a record only for the same content: same speakers, words, turn boundaries, id and agent."""
    def hash_of(name: str, body: str) -> str:
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return next(c for c in load_file(path, LoadLimits()) if not isinstance(c, Problem)).content_hash

    def json_call(turns, call_id="C1", agent="A1"):
        return json.dumps({"call_id": call_id, "agent_id": agent, "turns": [{"speaker": s, "text": t} for s, t in turns]}, ensure_ascii=False)

    base = [("客服", "您好"), ("客户", "查话费"), ("客服", "好的，再见")]
    same = hash_of("a.json", json_call(base))
    assert hash_of("b.txt", "---\ncall_id: C1\nagent_id: A1\n---\n" + "".join(f"{s}：{t}\n" for s, t in base)) == same
    assert hash_of("c.json", json_call([("客服", "您好"), ("客户", "查话费"), ("客服", "好的，再见 ")])) == same  # cleaning strips
    others = [
        json_call([("客服", "您好"), ("客服", "查话费"), ("客服", "好的，再见")]),  # another speaker
        json_call([("客服", "您好查"), ("客户", "话费"), ("客服", "好的，再见")]),  # the same words, another boundary
        json_call([("客服", "您好"), ("客户", "查话费"), ("客服", "好的，再见"), ("客服", "")]),
        json_call(base, call_id="C2"),
        json_call(base, agent="A2"),
    ]
    hashes = {hash_of(f"o{i}.json", body) for i, body in enumerate(others)}
    assert same not in hashes and len(hashes) == len(others)
