"""Paraphrase and confirm: the agent restates the customer's problem and asks if it is right.

"对吗?" alone proves nothing; what a reviewer looks for is the customer's
substance (product, fault, date, amount, place) coming back in the agent's
words with a request to confirm. We measure substance as shared character
bigrams of content (or jieba words with ``unit: words``) between an agent turn
and the customer's earlier turns, after dropping function words, and ask for a
confirmation marker at the end of a clause in that turn or the agent's next.
Shared digits alone do not count: reading back a number is not restating a
problem.

English (and any other space-separated ASCII text) needs two things jieba
does not give it with ``unit: words``: ``ignore`` entries must match whole
words, since removing "the" from "there" or "i" from "internet" leaves
fragments that look like content, and inflections must meet ("charged" →
"you were charged", "cancel" → "cancelled"), so ASCII words are reduced with
the Snowball English stemmer. Chinese tokens keep the substring behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import NON_CONTENT, Context, Finding, PhraseBank, evidence_at, evidence_turn, filter_hits, words_pattern
from auditor.transcripts.model import AGENT, CUSTOMER, Turn

_CLAUSE_END = re.compile(r"[?？。.!！,，;；~～…\s]|$")
_ASCII_WORD = re.compile(r"[0-9a-z]+")


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


class ParaphraseParams(BaseModel):
    """Pass when an agent turn shares ``min_shared`` content units with an earlier customer turn and asks to confirm."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["paraphrase"]
    confirm: list[str] = Field(min_length=1, description="confirmation markers: 对吗, 是吗, 对吧 …")
    exclude: list[str] = Field(default_factory=list, description="marker uses that are not confirmations")
    ignore: list[str] = Field(default_factory=list, description="function words and stock phrases that are not substance")
    min_shared: int = Field(2, ge=1, description="shared content bigrams (or words) that make a restatement")
    min_shared_chars: int = Field(0, ge=0, description="or: this many shared distinct content characters (0 = off); catches 泡烂 → 泡坏")
    common_chars: str = Field("", max_length=2000, description="characters too common to count towards min_shared_chars")
    unit: Literal["chars", "words"] = "chars"
    follow_up_turns: int = Field(1, ge=0, le=3, description="a marker may come in this many following agent turns")


class ParaphraseDetector:
    def __init__(self, params: ParaphraseParams, bank: PhraseBank) -> None:
        from auditor.transcripts.normalize import normalize

        self.params = params
        self.confirm = bank.add_all(params.confirm)
        self.exclusions = bank.add_all(params.exclude)
        self.bank = bank
        self._ignore = words_pattern(params.ignore)
        self._common = frozenset(normalize(params.common_chars))
        self._ignore_words = frozenset(w for w in (normalize(i).strip() for i in params.ignore) if _ASCII_WORD.fullmatch(w))

    def _content(self, text: str) -> str:
        if self._ignore is not None:
            text = self._ignore.sub(" ", text)
        return NON_CONTENT.sub(" ", text)

    def _units(self, turn: Turn, ctx: Context) -> set[str]:
        if self.params.unit == "words":
            tokens = ctx.tokens(turn)
            words = {w for w in (self._content(tok).strip() for tok in tokens if not tok.isascii()) if w and " " not in w and not w.isdigit()}
            english = [tok for tok in tokens if _ASCII_WORD.fullmatch(tok) and tok not in self._ignore_words and not tok.isdigit()]
            return words | set(_stemmer().stemWords(english)) if english else words
        units = set()
        for chunk in self._content(turn.norm).split():
            for i in range(len(chunk) - 1):
                gram = chunk[i : i + 2]
                if not any(c.isdigit() for c in gram):
                    units.add(gram)
        return units

    def _chars(self, turn: Turn) -> set[str]:
        return {c for c in self._content(turn.norm) if "\u3400" <= c <= "\u9fff" and c not in self._common}

    def _marker(self, turn: Turn, ctx: Context) -> tuple[int, int, int] | None:
        for s, e, pid in filter_hits(ctx.hits(turn), self.confirm, self.exclusions):
            if _CLAUSE_END.match(turn.norm, e) or turn.norm[e : e + 1] in ("呢", "啊", "呀"):
                return s, e, pid
        return None

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        call = ctx.call
        allowed = {t.index for t in turns}
        best = None
        for turn in call.turns:
            if turn.speaker != AGENT or turn.index not in allowed:
                continue
            marker_turn = turn
            marker = self._marker(turn, ctx)
            if marker is None:
                following = [t for t in call.turns[turn.index + 1 : turn.index + 1 + self.params.follow_up_turns] if t.speaker == AGENT]
                for nxt in following:
                    marker = self._marker(nxt, ctx)
                    if marker:
                        marker_turn = nxt
                        break
            if marker is None:
                continue
            mine = self._units(turn, ctx)
            if not mine:
                continue
            my_chars = self._chars(turn) if self.params.min_shared_chars else set()
            for prev in call.turns[: turn.index]:
                if prev.speaker != CUSTOMER:
                    continue
                shared = mine & self._units(prev, ctx)
                enough = len(shared) >= self.params.min_shared
                if not enough and my_chars:
                    chars = my_chars & self._chars(prev)
                    enough = len(chars) >= self.params.min_shared_chars
                    shared = shared | chars if enough else shared
                if enough and (best is None or len(shared) > len(best[2])):
                    best = (prev, turn, shared, marker_turn, marker)
        if best is None:
            return Finding(False, [], {"note": "no agent turn restates the customer's words and asks to confirm"})
        customer, agent, shared, marker_turn, (s, e, pid) = best
        overlap = _runs(agent.norm, shared)
        note = f"restates customer turn {customer.index} (shared: {', '.join(overlap)}) and asks “{self.bank.phrases[pid]}”"
        evidence = [evidence_turn(customer, "what the customer said"), evidence_at(marker_turn, s, e, note)]
        if marker_turn is not agent:
            evidence.insert(1, evidence_turn(agent, "the restatement"))
        return Finding(True, evidence)


def _runs(text: str, units: set[str]) -> list[str]:
    """Merge shared units (characters, bigrams or words) back into the readable stretches of ``text`` they cover."""
    covered = [False] * len(text)
    for unit in units:
        start = text.find(unit)
        while start != -1:
            for i in range(start, start + len(unit)):
                covered[i] = True
            start = text.find(unit, start + 1)
    runs, cur = [], ""
    for ch, c in zip(text, covered):
        if c:
            cur += ch
        elif cur:
            runs.append(cur)
            cur = ""
    if cur:
        runs.append(cur)
    return list(dict.fromkeys(runs)) or sorted(units)


def create(params: ParaphraseParams, bank: PhraseBank) -> ParaphraseDetector:
    return ParaphraseDetector(params, bank)
