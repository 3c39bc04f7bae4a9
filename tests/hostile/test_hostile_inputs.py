"""Broken, mis-encoded and crafted transcripts: a clear message naming file and line, and the batch goes on.

Each case puts one hostile file next to a good call, runs the real CLI and
checks the problem on stderr, in results.jsonl and in the Problems sheet,
and that the good call was still audited.
"""

from __future__ import annotations

import json
import os

import openpyxl
import pytest

GOOD = "客服：您好，请问有什么可以帮您？\n客户：我想查一下话费。\n客服：好的，谢谢您，再见。\n"


def jdump(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def good_json(call_id: str = "J1") -> dict:
    return {"call_id": call_id, "agent_id": "A1", "turns": [{"speaker": "客服", "text": "您好"}, {"speaker": "客户", "text": "查话费"}]}


# (file name, content, reason fragment, line)
ERRORS = [
    ("empty.txt", b"", "empty file", None),
    ("zero.json", b"", "empty file", None),
    ("blank.jsonl", b"\n  \n\n", "empty file", None),
    ("truncated.json", b'{"call_id": "T1", "turns": [{"speaker": "\xe5\xae\xa2\xe6\x9c\x8d", "text": "\xe6\x82\xa8', "invalid JSON", 1),
    ("list.json", jdump([good_json()]), "expected a JSON object with 'turns', got a JSON list", None),
    ("no_turns.json", jdump({"call_id": "X"}), "turns: Field required", None),
    ("turns_not_list.json", jdump({"turns": "客服：您好"}), "turns: Input should be a valid list", None),
    ("turn_without_text.json", jdump({"turns": [{"speaker": "客服"}]}), "turns[0].text: Field required", None),
    ("speaker_object.json", jdump({"turns": [{"speaker": {"name": "客服"}, "text": "您好"}]}), "turns[0].speaker: Input should be a valid string", None),
    ("empty_turns.json", jdump({"turns": []}), "the call has no turns", None),
    ("binary.json", bytes(range(256)) * 8, "binary data", None),
    ("no_speakers.txt", "这一行没有说话人\n这一行也没有\n".encode(), "no turns found", 1),
    ("huge_number.json", b'{"call_id": ' + b"9" * 5000 + b', "turns": []}', "a number has too many digits", None),
    ("deep.json", b"[" * 50_000 + b"]" * 50_000, "nested too deeply", None),
    ("bad_header.csv", "id,who,words\n1,客服,您好\n".encode(), "CSV header lacks required column(s) call_id, agent_id, speaker, text", 1),
]


@pytest.mark.parametrize("name,content,reason,line", ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_file_is_reported_and_the_batch_goes_on(audit, corpus, name, content, reason, line):
    (corpus / name).write_bytes(content)
    run = audit(corpus)
    assert run.code == 0, run.stderr
    run.assert_problem(name, reason, line)
    assert [c["call_id"] for c in run.calls] == ["good"]


def test_truncated_jsonl_names_the_bad_line_and_audits_the_good_ones(audit, corpus):
    lines = [jdump(good_json("L1")), jdump(good_json("L2"))[:-9], jdump(good_json("L3")), b'"just a string"', b"[1, 2"]
    (corpus / "batch.jsonl").write_bytes(b"\n".join(lines))  # the last line is cut off without a newline
    run = audit(corpus)
    assert run.code == 0
    run.assert_problem("batch.jsonl", "invalid JSON", 2)
    run.assert_problem("batch.jsonl", "expected a JSON object with 'turns', got a JSON str", 4)
    run.assert_problem("batch.jsonl", "invalid JSON", 5)
    assert sorted(c["call_id"] for c in run.calls) == ["L1", "L3", "good"]
    assert {c["call_id"]: c["source"]["line"] for c in run.calls}["L3"] == 3


def test_jsonl_line_nested_too_deeply_costs_only_that_line(audit, corpus):
    (corpus / "deep.jsonl").write_bytes(b"[" * 50_000 + b"]" * 50_000 + b"\n" + jdump(good_json("after")) + b"\n")
    run = audit(corpus)
    run.assert_problem("deep.jsonl", "nested too deeply", 1)
    assert "after" in [c["call_id"] for c in run.calls]


def test_numbers_where_strings_belong_are_read_as_text(audit, corpus):
    (corpus / "numbers.json").write_bytes(b'{"call_id": 123, "agent_id": 7, "turns": [{"speaker": "\xe5\xae\xa2\xe6\x9c\x8d", "text": 42}, '
                                          b'{"speaker": "customer", "text": 3.5, "start": "1.5"}]}')
    run = audit(corpus)
    call = next(c for c in run.calls if c["call_id"] == "123")
    assert call["agent_id"] == "7" and call["turns"] == 2


def test_unknown_speaker_labels_are_a_warning_and_the_call_is_audited(audit, corpus):
    (corpus / "labels.txt").write_text("客服：您好\n客户：查话费\n", encoding="utf-8")
    (corpus / "labels.json").write_bytes(jdump({"turns": [{"speaker": "客服", "text": "您好"}, {"speaker": "机器人", "text": "请按1"}]}))
    run = audit(corpus)
    run.assert_problem("labels.json", "unknown speaker label(s) '机器人'", severity="warning")
    assert "labels" in [c["call_id"] for c in run.calls]


def test_call_without_agent_turns_is_audited_with_a_warning(audit, corpus):
    (corpus / "customer_only.txt").write_text("客户：喂？\n客户：有人吗？\n", encoding="utf-8")
    run = audit(corpus)
    run.assert_problem("customer_only.txt", "no agent turns", severity="warning")
    call = next(c for c in run.calls if c["call_id"] == "customer_only")
    assert call["items"]["greeting"]["status"] == "fail"


def _evidence_texts(call: dict) -> list[str]:
    return [e["text"] for item in call["items"].values() for e in item["evidence"]]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded(audit, corpus, encoding):
    (corpus / "wide.txt").write_bytes(GOOD.encode(encoding))
    run = audit(corpus)
    call = next(c for c in run.calls if c["call_id"] == "wide")
    assert call["items"]["greeting"]["status"] == "pass"
    assert "客服：" not in "".join(_evidence_texts(call)) and "您好，请问有什么可以帮您？" in _evidence_texts(call)


def test_gbk_file_labelled_utf8_is_decoded(audit, corpus):
    # The export claims UTF-8 in its own metadata and is GBK: the bytes win.
    body = {"call_id": "G1", "charset": "utf-8", "turns": [{"speaker": "客服", "text": "您好，欢迎致电"}, {"speaker": "客户", "text": "我的宽带坏了"}]}
    (corpus / "gbk.json").write_bytes(json.dumps(body, ensure_ascii=False).encode("gbk"))
    run = audit(corpus)
    call = next(c for c in run.calls if c["call_id"] == "G1")
    assert "您好，欢迎致电" in _evidence_texts(call)


def test_mixed_line_endings(audit, corpus):
    (corpus / "mixed.txt").write_bytes("客服：您好\r\n客户：我想查话费\r客服：好的\n客户：谢谢\r\n".encode())
    (corpus / "mixed.jsonl").write_bytes(jdump(good_json("M1")) + b"\r\n" + jdump(good_json("M2")) + b"\n")
    run = audit(corpus)
    assert next(c for c in run.calls if c["call_id"] == "mixed")["turns"] == 4
    assert {"M1", "M2"} <= {c["call_id"] for c in run.calls}
    assert not run.problems


def test_control_characters_and_nul_bytes_are_removed_from_text(audit, corpus):
    (corpus / "ctrl.json").write_bytes('{"call_id": "C\\u0000TRL\\u0007", "turns": [{"speaker": "客服", "text": "您\\u0000好\\u001b[31m，\x01请讲"}]}'.encode())
    (corpus / "nul.txt").write_bytes("客服：您\x00好\x08呀\n客户：查\x00话费\n".encode())
    run = audit(corpus, "--evidence", "all")
    assert not [p for p in run.problems if p["severity"] == "error"], run.problems
    ctrl = next(c for c in run.calls if c["call_id"] == "CTRL")
    assert "您好[31m，请讲" in _evidence_texts(ctrl)
    nul = next(c for c in run.calls if c["call_id"] == "nul")
    assert nul["items"]["greeting"]["status"] == "pass" and "您好呀" in _evidence_texts(nul)
    cells = [c.value for ws in openpyxl.load_workbook(run.out) for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(ch in v for v in cells for ch in "\x00\x01\x07\x08\x1b")


def test_emoji_combining_marks_and_rtl_text_survive_to_the_workbook(audit, corpus):
    text = "您好😀👨‍👩‍👧，Cafe\u0301 e\u0300\u0301 مرحبا بالعالم \u202eabc\u202c"
    (corpus / "uni.json").write_bytes(jdump({"call_id": "U1", "agent_name": "李👩‍💼", "turns": [{"speaker": "客服", "text": text}]}))
    run = audit(corpus, "--evidence", "all")
    call = next(c for c in run.calls if c["call_id"] == "U1")
    assert call["items"]["greeting"]["status"] == "pass"
    assert text in _evidence_texts(call)
    evidence = [r for r in run.sheet_rows("Evidence") if r[0] == "U1"]
    assert any(r[6] == text for r in evidence)
    assert any(r[2] == "李👩‍💼" for r in run.sheet_rows("Calls") if r[0] == "U1")


def test_duplicate_call_ids_across_files_are_both_kept_and_flagged(audit, corpus):
    (corpus / "a.json").write_bytes(jdump(good_json("DUP")))
    (corpus / "b.jsonl").write_bytes(jdump(good_json("DUP")) + b"\n")
    run = audit(corpus)
    assert [c["source"]["path"].rsplit("/", 1)[-1] for c in run.calls if c["call_id"] == "DUP"] == ["a.json", "b.jsonl"]
    run.assert_problem("b.jsonl", "duplicate call id 'DUP'", 1, severity="warning")
    assert len([r for r in run.sheet_rows("Calls") if r[0] == "DUP"]) == 2


def test_symlink_loop_in_a_folder_is_reported_not_walked(audit, corpus):
    (corpus / "sub").mkdir()
    (corpus / "sub" / "back").symlink_to(corpus, target_is_directory=True)
    (corpus / "self.json").symlink_to(corpus / "other.json")
    (corpus / "other.json").symlink_to(corpus / "self.json")
    run = audit(corpus)
    assert run.code == 0
    run.assert_problem("sub/back", "symbolic link loop", severity="warning")
    run.assert_problem("self.json", "cannot read: Too many levels of symbolic links")
    assert [c["call_id"] for c in run.calls] == ["good"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file(audit, corpus):
    path = corpus / "secret.txt"
    path.write_text(GOOD, encoding="utf-8")
    path.chmod(0)
    try:
        run = audit(corpus)
        run.assert_problem("secret.txt", "cannot read: Permission denied")
    finally:
        path.chmod(0o644)


def test_files_that_cannot_be_read_as_files(audit, corpus):
    """What works even as root: a dangling link, a FIFO (would block forever) and /dev/zero (would never end)."""
    (corpus / "dangling.json").symlink_to(corpus / "missing.json")
    os.mkfifo(corpus / "pipe.jsonl")
    (corpus / "zero.txt").symlink_to("/dev/zero")
    run = audit(corpus)
    assert run.code == 0
    run.assert_problem("dangling.json", "cannot read: No such file or directory")
    run.assert_problem("pipe.jsonl", "not a regular file")
    run.assert_problem("zero.txt", "not a regular file")
    assert [c["call_id"] for c in run.calls] == ["good"]


def test_a_folder_named_like_a_transcript_given_as_a_file_is_reported(audit, corpus, tmp_path):
    from auditor.transcripts import LoadLimits, load_file

    (tmp_path / "x.json").mkdir()
    assert [p.reason for p in load_file(tmp_path / "x.json", LoadLimits())] == ["is a folder, not a file"]


def test_folder_without_transcripts_exits_2_and_writes_nothing(audit, tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "notes.docx").write_bytes(b"PK")
    run = audit(empty)
    assert run.code == 2
    assert "no transcript files found" in run.stderr and str(empty) in run.stderr
    assert not run.out.exists() and not run.results.exists()
    assert not list(tmp_path.glob("*.partial")) and not list(tmp_path.glob(".*.tmp"))


def test_folder_where_every_file_is_broken_exits_2_and_writes_nothing(audit, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "a.json").write_bytes(b"{")
    (bad / "b.txt").write_bytes(b"")
    run = audit(bad)
    assert run.code == 2
    assert "a.json:1: invalid JSON" in run.stderr and "b.txt: empty file" in run.stderr
    assert "no call could be audited; nothing was written" in run.stderr
    assert not run.out.exists() and not run.results.exists()
    assert not list(tmp_path.glob("*.partial"))


def test_strict_turns_any_problem_into_exit_1_after_writing_everything(audit, corpus):
    (corpus / "labels.json").write_bytes(jdump({"turns": [{"speaker": "客服", "text": "您好"}, {"speaker": "机器人", "text": "请按1"}]}))
    (corpus / "zz_last.txt").write_text(GOOD, encoding="utf-8")
    relaxed = audit(corpus)
    assert relaxed.code == 0
    strict = audit(corpus, "--strict")
    assert strict.code == 1
    assert "--strict: 1 input problem(s)" in strict.stderr
    # the whole batch was audited and written, including the file after the problem
    assert [c["call_id"] for c in strict.calls] == ["good", "labels", "zz_last"]
    strict.assert_problem("labels.json", "unknown speaker", severity="warning")


def test_strict_without_problems_exits_0(audit, corpus):
    assert audit(corpus, "--strict").code == 0


def test_a_t2s_json_where_the_audit_runs_does_not_change_normalisation(tmp_path):
    """OpenCC opens a bare config name in the current directory first: the packaged one must be used whatever is there."""
    import subprocess
    import sys

    (tmp_path / "t2s.json").write_text(json.dumps({"name": "not ours", "segmentation": {"type": "mmseg", "dict": {"type": "text", "file": "d.txt"}},
                                                   "conversion_chain": [{"dict": {"type": "text", "file": "d.txt"}}]}), encoding="utf-8")
    (tmp_path / "d.txt").write_text("謝謝\t滾蛋\n", encoding="utf-8")  # would turn a thank-you into abuse
    (tmp_path / "call.txt").write_text("客服：您好，請問有什麼可以幫您？\n客戶：查話費。\n客服：好的，謝謝您的來電，再見。\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "auditor", "audit", "call.txt", "-q", "-o", "s.xlsx", "--results", "r.jsonl", "--jobs", "1"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode in (0, 1), res.stderr
    call = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert call["items"]["thanks"]["status"] == "pass"
    assert call["items"]["forbidden_language"]["status"] == "pass"
