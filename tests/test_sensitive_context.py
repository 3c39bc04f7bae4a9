"""no_sensitive_data on real helpdesk phrasing: instructions and order numbers are not requests or cards."""

from __future__ import annotations

from auditor.engine import audit_call
from auditor.transcripts import LoadLimits, Problem, load_file


def status(tmp_path, checklist, agent_line: str) -> str:
    path = tmp_path / "c.txt"
    path.write_text(f"客户：我想查一下。\n客服：{agent_line}\n", encoding="utf-8")
    call = next(c for c in load_file(path, LoadLimits()) if not isinstance(c, Problem))
    return audit_call(checklist, call).items["no_sensitive_data"].status


def test_self_service_instruction_is_not_asking_for_the_password(tmp_path, default_checklist):
    line = "您好，可使用服务密码登录网上营业厅查询详单，如查询后仍有疑问，可提供您的号码给我们核查。"
    assert status(tmp_path, default_checklist, line) == "pass"
    assert status(tmp_path, default_checklist, "烦请私信提供您的手机号码和服务密码，以便为您核实。") == "fail"


def test_a_luhn_valid_order_number_is_not_a_card_number(tmp_path, default_checklist):
    # 4111111111111111 passes the Luhn check; read out as an order number it is no card
    assert status(tmp_path, default_checklist, "您的订单号是4111111111111111，已经发货了。") == "pass"
    assert status(tmp_path, default_checklist, "您的银行卡号是4111111111111111，对吗？") == "fail"
