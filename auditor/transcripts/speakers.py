"""Speaker labels as they appear in exports, mapped to the two roles rules care about."""

from __future__ import annotations

from auditor.transcripts.model import AGENT, CUSTOMER

AGENT_LABELS = ("客服", "坐席", "座席", "agent", "a")
CUSTOMER_LABELS = ("客户", "顾客", "用户", "customer", "c")
_ROLES = {**{label: AGENT for label in AGENT_LABELS}, **{label: CUSTOMER for label in CUSTOMER_LABELS}}
# Exports also use the Traditional forms and a few synonyms.
_ROLES.update({"客服人员": AGENT, "坐席人员": AGENT, "顧客": CUSTOMER, "用戶": CUSTOMER, "客戶": CUSTOMER, "staff": AGENT, "caller": CUSTOMER})


def role_of(label: str) -> str | None:
    """The role for a speaker label, or ``None`` when the label is not one we know."""
    return _ROLES.get(label.strip().lower())


# Labels that need no stripping or case folding, looked up as they come: most
# turns carry one, and the lookup costs a tenth of ``role_of``.
EXACT_ROLES: dict[str, str] = {label: role for label, role in _ROLES.items() if label.strip().lower() == label}
