"""Sensitive data: the agent must never ask for, or read out, a secret.

Fails a call in which the agent (a) asks the customer to say a password,
verification code, CVV or full card number, or (b) reads out a full card
number (a 13–19 digit number that passes the Luhn check, recognised by the
same validator ``--redact`` uses). Warning the customer is the opposite of
asking: "请勿向任何人透露验证码" passes, because a negation (请勿, 不要, 不会…)
in the same clause as the secret or the request voids it.

How a request is recognised: within one sentence (up to 。！？; or a line
break) a ``secrets`` phrase and an ``ask`` phrase both occur, and neither sits
in a clause (up to ，, or a sentence end) that holds a ``negations`` phrase.
``exclude`` phrases void a secret they contain (卡号后四位 is not the full
card number). All lists are phrases matched on normalised text through the
checklist's shared phrase bank, so a checklist can extend them without code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import Context, Evidence, Finding, PhraseBank, evidence_at
from auditor.transcripts.model import Turn

MAX_EVIDENCE = 5
# An ASCII full stop ends a sentence only before whitespace or the end, so "3.5" and "www.x.com" do not
# split one; without it an English turn is one sentence ("Please tell me. Besides, a password error…").
_SENTENCE_END = re.compile(r"[。！？!?;；\n]|\.(?=\s|$)")
_CLAUSE_END = re.compile(r"[。！？!?;；\n,，、]|\.(?=\s|$)")

DEFAULT_SECRETS = ["密码", "验证码", "校验码", "动态码", "短信码", "cvv", "cvv2", "cvc", "安全码", "卡背面", "背面三位", "背面的三位",
                   "完整卡号", "完整的卡号", "全部卡号", "卡号", "银行卡号", "信用卡号"]
DEFAULT_ASK = ["告诉我", "告知我", "跟我说", "和我说", "对我说", "说一下", "说一遍", "报一下", "报给我", "报一遍", "念一下", "念给我", "读一下",
               "读给我", "发给我", "发一下", "提供", "透露", "是多少", "多少呢", "说出", "报出", "念出", "讲一下"]
DEFAULT_NEGATIONS = ["请勿", "切勿", "不要", "不用", "无需", "不需要", "不必", "别", "不会", "绝不", "决不", "从不", "不能", "不可",
                     "不得", "严禁", "禁止", "谨防", "千万不", "不索要", "不会索要"]
DEFAULT_EXCLUDE = ["卡号后四位", "卡号后4位", "卡号的后四位", "卡号的后4位", "卡号末四位", "卡号末4位", "卡号尾号", "卡号前六位",
                   "密码错误", "密码锁定", "密码已锁", "重置密码", "修改密码", "密码重置", "忘记密码", "密码忘了", "验证码已发送",
                   "验证码发送", "发送验证码", "收到验证码", "验证码失效", "验证码过期", "输入密码", "密码登录", "使用服务密码",
                   "凭服务密码", "用服务密码", "服务密码登录", "输入验证码", "验证码登录"]
DEFAULT_CARD_CONTEXT = ["卡号", "银行卡", "信用卡", "储蓄卡", "借记卡", "card"]


class SensitiveParams(BaseModel):
    """Pass when the agent neither asks for a secret nor reads out a full card number."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["sensitive_data"]
    secrets: list[str] = Field(default_factory=lambda: list(DEFAULT_SECRETS), min_length=1, max_length=500)
    ask: list[str] = Field(default_factory=lambda: list(DEFAULT_ASK), min_length=1, max_length=500)
    negations: list[str] = Field(default_factory=lambda: list(DEFAULT_NEGATIONS), max_length=500)
    exclude: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUDE), max_length=500)
    card_numbers: bool = Field(True, description="fail when the agent reads out a Luhn-valid card number")
    card_context: list[str] = Field(default_factory=lambda: list(DEFAULT_CARD_CONTEXT), max_length=500,
                                    description="a number counts as a card only in a turn that names a card (order numbers pass Luhn one time in ten)")
    ask_window: int = Field(15, ge=1, le=200, description="an ask phrase counts only this many characters from the secret, in the same sentence")


def _spans(text: str, boundary: re.Pattern[str]) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in boundary.finditer(text):
        out.append((start, m.end()))
        start = m.end()
    out.append((start, len(text)))
    return out


def _inside(pos: int, spans: list[tuple[int, int]]) -> tuple[int, int]:
    return next(((s, e) for s, e in spans if s <= pos < e), spans[-1])


def _longest_first(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """One hit per stretch of text: 银行卡号 is one secret, not 银行卡号 plus 卡号."""
    kept: list[tuple[int, int, int]] = []
    for h in sorted(hits, key=lambda h: (h[0] - h[1], h[0])):
        if all(h[1] <= k[0] or h[0] >= k[1] for k in kept):
            kept.append(h)
    return sorted(kept)


class SensitiveDetector:
    def __init__(self, params: SensitiveParams, bank: PhraseBank) -> None:
        self.params = params
        self.secrets = bank.add_all(params.secrets)
        self.ask = bank.add_all(params.ask)
        self.negations = bank.add_all(params.negations) if params.negations else frozenset()
        self.exclusions = bank.add_all(params.exclude) if params.exclude else frozenset()
        self.card_context = bank.add_all(params.card_context) if params.card_context else frozenset()
        self.secrets_query = bank.query(self.secrets, self.exclusions)
        self.ask_query = bank.query(self.ask)
        self.negations_query = bank.query(self.negations)
        self.card_query = bank.query(self.card_context)
        self.bank = bank

    def _requests(self, turn: Turn, ctx: Context) -> list[Evidence]:
        filed = ctx.found[turn.index]
        secrets = filed.get(self.secrets_query)
        if not secrets:
            return []
        asks = filed.get(self.ask_query)
        if not asks:
            return []
        secrets = _longest_first(secrets)
        sentences = _spans(turn.norm, _SENTENCE_END)
        clauses = _spans(turn.norm, _CLAUSE_END)
        negated = {_inside(s, clauses) for s, _e, _p in filed.get(self.negations_query, ())} if self.negations else set()
        found = []
        for s, e, pid in secrets:
            if _inside(s, clauses) in negated:
                continue
            sentence = _inside(s, sentences)
            window = self.params.ask_window
            ask = next((a for a in asks if _inside(a[0], sentences) == sentence and _inside(a[0], clauses) not in negated
                        and not (a[0] < e and s < a[1]) and (s - a[1] <= window and a[0] - e <= window)), None)
            if ask is not None:
                note = f"agent asks for “{self.bank.phrases[pid]}” (“{self.bank.phrases[ask[2]]}”)"
                found.append(evidence_at(turn, s, e, note))
        return found

    def _cards(self, turn: Turn, ctx: Context) -> list[Evidence]:
        from auditor.redaction import find_cards

        if self.card_context and self.card_query not in ctx.found[turn.index]:
            return []
        return [evidence_at(turn, m.start(), m.end(), "agent reads out a full card number") for m in find_cards(turn.norm)]

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        evidence: list[Evidence] = []
        fired: list[int] = []
        filed = ctx.found
        # A request needs a secret and an ask in the turn, a card number a card word (when any are listed):
        # most agent turns have none, and are passed over without a call.
        needs = (self.secrets_query, self.ask_query)
        cards = self.params.card_numbers
        card_query = self.card_query if self.card_context else None
        for turn in turns:
            here = filed[turn.index]
            found = self._requests(turn, ctx) if needs[0] in here and needs[1] in here else []
            if cards and (card_query is None or card_query in here):
                found += self._cards(turn, ctx)
            if found:
                fired.append(turn.index)
                evidence += found
        return Finding(not fired, evidence[:MAX_EVIDENCE], turns=tuple(fired))


def create(params: SensitiveParams, bank: PhraseBank) -> SensitiveDetector:
    return SensitiveDetector(params, bank)
