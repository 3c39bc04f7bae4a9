"""PII: validated detection, masking that keeps the last four digits, in every output; the sensitive_data item."""

from __future__ import annotations

import json

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.redaction import luhn_valid, mobile_valid, redact, resident_id_valid

# Realistic numbers: each valid one has an invalid twin differing in the check digit.
ID_OK, ID_BAD = "11010519491231002X", "110105194912310021"
ID_OK2 = "440308199901010012"  # a second valid one (check digit 2)
CARD_OK, CARD_BAD = "6222021234567890128", "6222021234567890123"
VISA_OK = "4111111111111111"
MOBILE = "13812345678"


def test_validators_accept_real_numbers_and_reject_wrong_check_digits():
    assert resident_id_valid(ID_OK) and resident_id_valid(ID_OK.lower()) and resident_id_valid(ID_OK2)
    assert not resident_id_valid(ID_BAD) and not resident_id_valid("11010519491231002")
    assert luhn_valid(CARD_OK) and luhn_valid(VISA_OK) and luhn_valid("6222 0212 3456 7890 128")
    assert not luhn_valid(CARD_BAD) and not luhn_valid("4111")
    assert mobile_valid(MOBILE) and mobile_valid("+86 138-1234-5678") and mobile_valid("008613812345678") and mobile_valid("１３８１２３４５６７８")
    assert not mobile_valid("12345678901") and not mobile_valid("23812345678") and not mobile_valid("1381234567")


@pytest.mark.parametrize("text,masked", [
    (f"身份证{ID_OK}谢谢", "身份证**************002X谢谢"),
    (f"身份证 {ID_OK2}", "身份证 **************0012"),
    (f"卡号{CARD_OK}", "卡号***************0128"),
    ("卡号6222 0212 3456 7890 128", "卡号**** **** **** ***0 128"),
    (f"visa {VISA_OK}.", "visa ************1111."),
    (f"电话{MOBILE}，", "电话138****5678，"),
    ("电话 +86 138-1234-5678", "电话 +86 138-****-5678"),
    ("0086 13812345678", "0086 138****5678"),
    ("８６１３８１２３４５６７８", "８６１３８****５６７８"),
    ("邮箱 zhang.san@example.com.cn 谢谢", "邮箱 *********@example.com.cn 谢谢"),
])
def test_masks_keep_the_last_four_digits(text, masked):
    assert redact(text) == masked
    assert len(redact(text)) == len(text)


@pytest.mark.parametrize("text", [
    f"身份证{ID_BAD}",  # wrong check digit
    f"卡号{CARD_BAD}",  # fails Luhn
    "订单号20231005123456789",  # order number (fails Luhn)
    "工单12345678901",  # 11 digits but not a mobile number
    "金额 1380.00 元，时间 2026-10-05 12:30:45",
    "content_hash 4532015112830366ab0137",  # digits glued to letters are not a number on their own
    "x13812345678y",
])
def test_numbers_that_fail_validation_are_left_alone(text):
    assert redact(text) == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 -+@.abcXx客服：１３８８６"), max_size=60) | st.text(max_size=60))
def test_redaction_is_idempotent_and_keeps_length(text):
    once = redact(text)
    assert redact(once) == once
    assert len(once) == len(text)


PII_CALL = (
    "---\ncall_id: C-13812345678\nagent_id: A1\nagent_name: 王 zhang.san@example.com\n---\n"
    f"客服：您好，请问有什么可以帮您？\n"
    f"客户：我的手机是13812345678，身份证{ID_OK}，卡号{CARD_OK}。\n"
    f"客服：好的，谢谢，身份证{ID_OK}和手机13812345678已核对，您的卡号是{CARD_OK}，再见。\n"
)
RAW = ["13812345678", ID_OK, CARD_OK, "zhang.san@example.com"]


def _everything(tmp_path, stdout: str, stderr: str) -> str:
    wb = openpyxl.load_workbook(tmp_path / "scorecard.xlsx")
    cells = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    return "\n".join([cells, (tmp_path / "results.jsonl").read_text(encoding="utf-8"), stdout, stderr])


@pytest.mark.parametrize("redacted", [True, False])
def test_redact_masks_every_output_of_audit(cli, tmp_path, redacted):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "call.txt").write_text(PII_CALL, encoding="utf-8")
    (folder / "13900001111.json").write_text("{", encoding="utf-8")  # a phone number in a file name, reported as a problem
    code, out, err = cli("audit", "in", "--evidence", "all", *(["--redact"] if redacted else []))
    assert code == 0, err
    text = _everything(tmp_path, out, err)
    if redacted:
        assert not [raw for raw in RAW + ["13900001111"] if raw in text]
        assert "C-138****5678" in text and "139****1111.json" in text and "***************0128" in text
        assert "*********@example.com" in text
    else:  # the test would notice if nothing were masked
        assert all(raw in text for raw in RAW + ["13900001111"])


def test_redact_masks_explain_output(cli, tmp_path):
    (tmp_path / "call.txt").write_text(PII_CALL, encoding="utf-8")
    code, out, err = cli("explain", "call.txt", "--redact")
    assert code == 0, err
    assert not [raw for raw in RAW if raw in out]
    assert "您的卡号是***************0128" in out and "C-138****5678" in out and "**************002X" in out
    code, out, _ = cli("explain", "call.txt")
    assert CARD_OK in out


def _status(default_checklist, dialogue: str) -> str:
    from auditor.engine import audit_call
    from auditor.transcripts.formats.text_format import parse_text
    from auditor.transcripts.model import Source
    from auditor.transcripts import LoadLimits

    call, _ = parse_text(dialogue, Source("t"), LoadLimits(), call_id="t")
    return audit_call(default_checklist, call).items["no_sensitive_data"].status


@pytest.mark.parametrize("dialogue", [
    "客服：您好，请把您的银行卡密码告诉我。",
    "客服：麻烦您把手机收到的验证码，报一下。",
    "客服：您的验证码是多少？",
    "客服：请您说一下卡背面的三位数字CVV。",
    "客服：请提供您的完整卡号。",
    f"客服：您的卡号是{CARD_OK}，对吗？",
    "客服：您的卡号是6222 0212 3456 7890 128。",
    f"客服：核对一下，卡号{VISA_OK}。",
    "客服：请告诉我验证码，不要告诉别人。",
])
def test_sensitive_data_fails_when_the_agent_asks_or_reads_out(default_checklist, dialogue):
    assert _status(default_checklist, dialogue + "\n客户：好的。") == "fail"


@pytest.mark.parametrize("dialogue", [
    "客服：验证码已发送，请勿向任何人透露验证码。",
    "客服：验证码请不要告诉任何人，包括我们的客服。",
    "客服：我们不会向您索要密码。",
    "客服：请问您的卡号后四位是多少？",
    "客服：请在键盘上输入您的密码。",
    "客服：您的密码已锁定，请到营业厅重置密码。",
    f"客服：卡号{CARD_BAD}的订单已处理。",  # not a valid card number
    "客户：我的密码是123456，验证码是384756。\n客服：好的，请您不要在电话里说密码。",  # the customer's words do not count
])
def test_sensitive_data_passes_warnings_and_harmless_mentions(default_checklist, dialogue):
    assert _status(default_checklist, dialogue) == "pass"


def test_sensitive_data_fails_the_call_in_a_real_run(cli, tmp_path):
    (tmp_path / "ask.txt").write_text("客服：您好，为了核实身份，请把验证码报一下。\n客户：384756。\n客服：谢谢，再见。\n", encoding="utf-8")
    code, _, err = cli("audit", "ask.txt")
    assert code == 0, err
    rec = json.loads((tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert rec["items"]["no_sensitive_data"]["status"] == "fail"
    assert "no_sensitive_data" in rec["critical_items"] and rec["score"] == 0
    assert rec["items"]["no_sensitive_data"]["evidence"][0]["match"] == "验证码"
