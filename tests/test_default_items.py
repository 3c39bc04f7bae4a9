"""Each default item passes and fails where a reviewer would say so, on whole calls."""

from __future__ import annotations

import pytest

from auditor.engine import audit_call
from auditor.transcripts import LoadLimits, Problem, load_file

GOOD = """客服：您好，这里是宽带客服，请问有什么可以帮您？
客户：我家宽带从昨天晚上开始就断网了，气死我了，明天还要开会！！
客服：非常理解您的心情，给您带来不便真的很抱歉。
客服：我跟您确认一下，您是说家里宽带从昨晚开始断网，对吗？
客户：对。
客服：好的，我已经为您派单，师傅两小时内上门。感谢您的耐心等待。
客户：好的。
客服：请问还有其他需要帮助的吗？
客户：没有了。
客服：好的，祝您生活愉快，再见！
"""


def audit_text(tmp_path, default_checklist, body: str):
    path = tmp_path / "call.txt"
    path.write_text(body, encoding="utf-8")
    [call] = [c for c in load_file(path, LoadLimits()) if not isinstance(c, Problem)]
    return audit_call(default_checklist, call)


def status(tmp_path, default_checklist, body: str) -> dict[str, str]:
    return {k: v.status for k, v in audit_text(tmp_path, default_checklist, body).items.items()}


def test_a_good_call_passes_everything(tmp_path, default_checklist):
    result = audit_text(tmp_path, default_checklist, GOOD)
    assert {k: v.status for k, v in result.items.items()} == dict.fromkeys(
        ["greeting", "thanks", "farewell", "further_help", "paraphrase_confirmation", "empathy", "forbidden_language"], "pass"
    ) | {k: "pass" for k in result.items}
    assert result.score == 100.0


@pytest.mark.parametrize(
    "item, body, expected",
    [
        ("greeting", "客服：喂，说吧。\n客户：我想查话费。\n客服：手机号多少？\n客户：138。\n客服：您好，请稍等。\n", "fail"),
        ("greeting", "客户：你好。\n客服：哦。\n客户：我想查话费。\n客服：稍等。\n", "fail"),
        ("greeting", "客服：下午好，很高兴为您服务。\n客户：我想查话费。\n", "pass"),
        ("thanks", "客服：您好。\n客户：谢谢你啊。\n客服：不客气。\n", "fail"),
        ("thanks", "客服：您好。\n客户：好的谢谢。\n客服：不用谢，谢女士。\n", "fail"),
        ("thanks", "客服：您好。\n客户：好的。\n客服：感谢您的耐心等待。\n", "pass"),
        ("farewell", "客服：您好。\n客户：好的，再见。\n客服：嗯。\n", "fail"),
        ("farewell", "客服：您好。\n客户：好的。\n客服：好的再见，祝您愉快。\n", "pass"),
        ("further_help", "客服：您好。\n客户：好。\n客服：办好了。\n", "fail"),
        ("further_help", "客服：您好。\n客户：好。\n客服：办好了，请问还有其他问题吗？\n", "pass"),
        ("forbidden_language", "客服：您好。\n客户：我的快递没到。\n客服：这不是我们的问题，你自己去查。\n", "fail"),
        ("forbidden_language", "客服：您好。\n客户：你们真笨，不归我管是吧？\n客服：非常抱歉，我马上帮您处理。\n", "pass"),
    ],
)
def test_phrase_items_on_whole_calls(tmp_path, default_checklist, item, body, expected):
    assert status(tmp_path, default_checklist, body)[item] == expected


def test_forbidden_language_is_critical_and_zeroes_the_score(tmp_path, default_checklist):
    result = audit_text(tmp_path, default_checklist, GOOD.replace("请问还有其他需要帮助的吗？", "爱买不买，请问还有其他需要帮助的吗？"))
    assert result.items["forbidden_language"].status == "fail"
    assert result.score == 0.0 and result.critical_failed == ["forbidden_language"]
    ev = result.items["forbidden_language"].evidence[0]
    assert ev.match == "爱买不买" and ev.speaker == "agent"


def test_paraphrase_needs_restated_content_and_a_question(tmp_path, default_checklist):
    readback = "客服：您好。\n客户：我的宽带断网了，一直连不上。\n客服：您的手机号是13812345678，对吗？\n客户：对。\n"
    assert status(tmp_path, default_checklist, readback)["paraphrase_confirmation"] == "fail"
    bare = "客服：您好。\n客户：我的宽带断网了，一直连不上。\n客服：是吗？\n"
    assert status(tmp_path, default_checklist, bare)["paraphrase_confirmation"] == "fail"
    real = "客服：您好。\n客户：我的宽带断网了，一直连不上。\n客服：您是说宽带断网连不上了，对吧？\n"
    result = audit_text(tmp_path, default_checklist, real)
    assert result.items["paraphrase_confirmation"].status == "pass"
    assert "宽带断网" in result.items["paraphrase_confirmation"].evidence[-1].note


def test_paraphrase_is_na_when_the_customer_asks_nothing(tmp_path, default_checklist):
    assert status(tmp_path, default_checklist, "客服：您好。\n客户：嗯。\n客服：好的。\n")["paraphrase_confirmation"] == "na"


def test_empathy_na_for_calm_customer_and_fail_when_ignored(tmp_path, default_checklist):
    calm = "客服：您好。\n客户：我想查一下话费。\n客服：好的。\n"
    assert status(tmp_path, default_checklist, calm)["empathy"] == "na"
    ignored = "客服：您好。\n客户：你们太过分了，我要投诉！\n客服：请提供手机号。\n客户：138。\n客服：稍等。\n客户：好。\n客服：非常抱歉。\n"
    result = audit_text(tmp_path, default_checklist, ignored)
    assert result.items["empathy"].status == "fail"
    assert result.items["empathy"].metrics["time_to_empathy_turns"] == 3


def test_empathy_metrics_time_and_de_escalation(tmp_path, default_checklist):
    body = "[00:00] 客服：您好。\n[00:05] 客户：气死我了，你们到底管不管！！\n[00:12] 客服：非常抱歉，让您着急了。\n[00:20] 客户：好吧，那你快点处理。\n[00:30] 客服：好的。\n[00:35] 客户：行，谢谢。\n"
    res = audit_text(tmp_path, default_checklist, body).items["empathy"]
    assert res.status == "pass"
    assert res.metrics["time_to_empathy_turns"] == 1 and res.metrics["time_to_empathy_seconds"] == 7.0
    assert res.metrics["de_escalated"] is True


def test_traditional_characters_match_simplified_phrases(tmp_path, default_checklist):
    body = "客服：您好，歡迎致電。\n客户：我要辦理寬帶。\n客服：感謝您，再見。\n"
    s = status(tmp_path, default_checklist, body)
    assert (s["greeting"], s["thanks"], s["farewell"]) == ("pass", "pass", "pass")
