"""Conversation-aware detectors: word segmentation only when asked, quoted speech, substance."""

from __future__ import annotations

import subprocess
import sys

from auditor.checklist import compile_checklist
from auditor.checklist.schema import Checklist
from auditor.engine import audit_call


def _call(tmp_path, body: str):
    from auditor.transcripts import LoadLimits, Problem, load_file

    path = tmp_path / "c.txt"
    path.write_text(body, encoding="utf-8")
    return next(c for c in load_file(path, LoadLimits()) if not isinstance(c, Problem))


def _checklist(detector: dict, **item) -> object:
    spec = {"id": "t", "name": "t", "version": "1", "items": [{"id": "x", "title": "x", "detector": detector, **item}]}
    return compile_checklist(Checklist.model_validate(spec))


def test_paraphrase_in_word_mode_uses_jieba_segmentation(tmp_path):
    checklist = _checklist({"kind": "paraphrase", "unit": "words", "confirm": ["对吗"], "ignore": ["您是说"]})
    call = _call(tmp_path, "客户：我的洗衣机甩干的时候响声特别大。\n客服：您是说洗衣机甩干时响声很大，对吗？\n")
    result = audit_call(checklist, call).items["x"]
    assert result.status == "pass"
    assert "洗衣机" in result.evidence[-1].note
    readback = _call(tmp_path, "客户：我的洗衣机甩干的时候响声特别大。\n客服：您的手机号是13812345678，对吗？\n")
    assert audit_call(checklist, readback).items["x"].status == "fail"


def test_default_checklist_never_loads_spacy_or_jieba():
    code = (
        "import sys\n"
        "from auditor.checklist import default_checklist_path, load_compiled\n"
        "from auditor.pipeline import AuditState, audit_batch\n"
        "from auditor.transcripts import LoadLimits\n"
        "c, _ = load_compiled(default_checklist_path())\n"
        "out = audit_batch(['samples/json/C1002.json'], AuditState(c, LoadLimits()))\n"
        "assert out and not any(m in sys.modules for m in ('spacy', 'jieba')), 'NLP loaded'\n"
    )
    from conftest import ROOT

    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr


def test_quoted_speech_is_not_the_speakers_own_words(tmp_path):
    checklist = _checklist({"kind": "phrases", "phrases": ["谢谢"]})
    quoted = _call(tmp_path, "客服：您在评价里写的是“谢谢你们的快速处理”，现在空调正常吗？\n")
    assert audit_call(checklist, quoted).items["x"].status == "fail"
    own = _call(tmp_path, "客服：谢谢您的评价。\n")
    assert audit_call(checklist, own).items["x"].status == "pass"


def test_substance_signal_ignores_greetings_and_withdrawn_turns(tmp_path, default_checklist):
    for body in ("客户：喂，老张？\n客服：您好，您可能打错了。\n客户：哦，打错了，不好意思。\n",
                 "客服：您好。\n客户：（无声）\n客服：请问能听到吗？\n"):
        assert audit_call(default_checklist, _call(tmp_path, body)).items["paraphrase_confirmation"].status == "na"
    body = "客服：您好。\n客户：我家楼上好像漏水，渗到卫生间天花板了。\n客服：好的。\n"
    assert audit_call(default_checklist, _call(tmp_path, body)).items["paraphrase_confirmation"].status == "fail"


def test_phrase_patterns_are_re2_and_reported_as_evidence(tmp_path):
    checklist = _checklist({"kind": "phrases", "match": "none", "phrases": ["滚"], "patterns": ["(跟|和)(我们|公司)(没|无)关系"]})
    result = audit_call(checklist, _call(tmp_path, "客服：这个跟公司没关系。\n")).items["x"]
    assert result.status == "fail" and result.evidence[0].match == "跟公司没关系" and "pattern" in result.evidence[0].note


def _calls_of(folder):
    from auditor.transcripts import LoadLimits, Problem, iter_input_files, load_file

    files = [p for p in iter_input_files([folder]) if not isinstance(p, Problem)]
    return [c for p in files for c in load_file(p, LoadLimits()) if not isinstance(c, Problem)]


def test_a_signals_quick_test_agrees_with_its_finding(tmp_path, default_checklist):
    """Conditions ask a signal's ``fires``, rules its finding: on every call both must say the same."""
    from pathlib import Path

    from bench.generate import generate
    from auditor.engine import CallContext

    generate(tmp_path / "gen", 400, 11)
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "wrong_number.txt").write_text("客服：您好，请问有什么可以帮您？\n客户：喂？打错了，不好意思。\n客服：好的，再见。\n", encoding="utf-8")
    (tmp_path / "own" / "repeats.txt").write_text("客服：您好。\n客户：快点快点，我要办卡。\n", encoding="utf-8")
    root = Path(__file__).parent.parent
    calls = _calls_of(tmp_path / "gen") + _calls_of(root / "samples") + _calls_of(root / "samples_en") + _calls_of(tmp_path / "own")
    plain_repeats = _checklist({"kind": "phrases", "phrases": ["您好"]}, applies_when="upset").spec.model_dump(by_alias=True)
    plain_repeats["signals"] = {"upset": {"speaker": "customer", "detector": {
        "kind": "emotion", "threshold": 0.5, "terms": [{"weight": 1, "phrases": ["气死"]}], "cues": {"repetition": 0.5}}}}
    from auditor.checklist import load_compiled

    english, _ = load_compiled(root / "checklists" / "en_call_center.yaml")
    checklists = [default_checklist, english, compile_checklist(Checklist.model_validate(plain_repeats))]
    fired = {}
    for checklist in checklists:
        for name, (rule, fires) in checklist.testers.items():
            if fires is None:
                continue
            for call in calls:
                quick = fires(CallContext(checklist, call).select(rule), CallContext(checklist, call))
                full = CallContext(checklist, call).signal(name).hit
                assert quick == full, (name, call.call_id)
                fired.setdefault(name, set()).add(quick)
    assert fired == {"customer_request": {True, False}, "customer_upset": {True, False}, "upset": {True, False}}


def test_paraphrase_note_quotes_the_agents_own_words_not_their_normalised_form(tmp_path, default_checklist):
    """Matching runs on normalised text, but a note shown to a manager must quote what was said.

    OpenCC turns 打坏 into 打坯, Traditional text becomes Simplified, and ASR
    spaces between characters are dropped: none of that may reach the note.
    """
    cases = [
        ("客户：我的手机屏幕被我不小心打坏了。\n客服：您是说手机屏幕打坏了，对吗？\n", "屏幕打坏", "坯"),
        ("客户：我的帳單金額不對，多扣了錢。\n客服：您是說帳單金額不對，多扣了錢，對嗎？\n", "帳單金額不對", "帐单"),
        ("客户：我的宽带一直断线。\n客服：您 是 说 宽 带 一 直 断 线，对吗？\n", "宽 带 一 直 断 线", None),
    ]
    for body, quoted, never in cases:
        result = audit_call(default_checklist, _call(tmp_path, body)).items["paraphrase_confirmation"]
        assert result.status == "pass", body
        note = result.evidence[-1].note
        assert quoted in note, note
        if never:
            assert never not in note, note
