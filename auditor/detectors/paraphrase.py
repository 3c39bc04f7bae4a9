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
from operator import attrgetter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import NON_CONTENT, Context, Finding, PhraseBank, evidence_at, evidence_turn, said_span, words_pattern
from auditor.transcripts.model import AGENT, CUSTOMER, Turn

_CLAUSE_END = re.compile(r"[?？。.!！,，;；~～…\s]|$")
_ASCII_WORD = re.compile(r"[0-9a-z]+")
_INDEX = attrgetter("index")
# Every bigram of content without a space or a digit, overlapping, found by the regex engine in one call.
_BIGRAMS = re.compile(r"(?=([^ 0-9]{2}))")
#: What ``_chars`` leaves out of content besides common characters: all of it that is not CJK.
_NOT_CJK = frozenset(" 0123456789abcdefghijklmnopqrstuvwxyz")


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
        self.confirm_query = bank.query(self.confirm, self.exclusions)
        self.bank = bank
        self._ignore = words_pattern(params.ignore)
        self._common = frozenset(normalize(params.common_chars))
        self._not_chars = self._common | _NOT_CJK
        self._ignore_words = frozenset(w for w in (normalize(i).strip() for i in params.ignore) if _ASCII_WORD.fullmatch(w))

    def _content(self, text: str) -> str:
        if self._ignore is not None:
            text = self._ignore.sub(" ", text)
        return NON_CONTENT.sub(" ", text)

    def _units(self, turn: Turn, ctx: Context, content: str | None = None) -> set[str]:
        if self.params.unit == "words":
            tokens = ctx.tokens(turn)
            words = {w for w in (self._content(tok).strip() for tok in tokens if not tok.isascii()) if w and " " not in w and not w.isdigit()}
            english = [tok for tok in tokens if _ASCII_WORD.fullmatch(tok) and tok not in self._ignore_words and not tok.isdigit()]
            return words | set(_stemmer().stemWords(english)) if english else words
        return content_bigrams(self._content(turn.norm) if content is None else content)

    def _chars(self, turn: Turn, content: str | None = None) -> set[str]:
        """The distinct CJK characters of the turn's content that are not common ones.

        Content holds only spaces, ASCII digits and letters, and CJK (see
        ``NON_CONTENT``), so taking out the rest from its set of characters
        leaves the CJK ones, without a comparison per character in Python.
        """
        text = self._content(turn.norm) if content is None else content
        return set(text).difference(self._not_chars)

    def _marker(self, turn: Turn, ctx: Context) -> tuple[int, int, int] | None:
        for s, e, pid in ctx.found[turn.index].get(self.confirm_query, ()):
            if _CLAUSE_END.match(turn.norm, e) or turn.norm[e : e + 1] in ("呢", "啊", "呀"):
                return s, e, pid
        return None

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        all_turns = ctx.call.turns
        follow_up = self.params.follow_up_turns
        memo = _Memo(self, ctx)
        best = None
        for turn in self._candidates(turns, ctx):
            marker_turn = turn
            marker = memo.marker(turn) if self._may_mark(turn, ctx) else None
            if marker is None:
                for nxt in all_turns[turn.index + 1 : turn.index + 1 + follow_up]:
                    if nxt.speaker != AGENT or not self._may_mark(nxt, ctx):
                        continue
                    marker = memo.marker(nxt)
                    if marker:
                        marker_turn = nxt
                        break
            if marker is None:
                continue
            mine = memo.units(turn)
            if not mine:
                continue
            my_chars = None  # worked out only when the units fall short: they seldom do
            for prev in all_turns[: turn.index]:
                if prev.speaker != CUSTOMER:
                    continue
                shared = mine & memo.units(prev)
                enough = len(shared) >= self.params.min_shared
                if not enough and my_chars is None and self.params.min_shared_chars:
                    my_chars = memo.chars(turn)
                if not enough and my_chars:
                    common = my_chars & memo.chars(prev)
                    enough = len(common) >= self.params.min_shared_chars
                    shared = shared | common if enough else shared
                if enough and (best is None or len(shared) > len(best[2])):
                    best = (prev, turn, shared, marker_turn, marker)
        if best is None:
            return Finding(False, [], {"note": "no agent turn restates the customer's words and asks to confirm"})
        customer, agent, shared, marker_turn, (s, e, pid) = best
        overlap = _runs(agent, shared)
        note = f"restates customer turn {customer.index} (shared: {', '.join(overlap)}) and asks “{self.bank.phrases[pid]}”"
        evidence = [evidence_turn(customer, "what the customer said"), evidence_at(marker_turn, s, e, note)]
        if marker_turn is not agent:
            evidence.insert(1, evidence_turn(agent, "the restatement"))
        return Finding(True, evidence)

    def _may_mark(self, turn: Turn, ctx: Context) -> bool:
        """Whether the turn has a confirmation phrase at all; only then can it have a marker."""
        return self.confirm_query in ctx.found[turn.index]

    def _candidates(self, turns: Sequence[Turn], ctx: Context) -> list[Turn]:
        """The agent turns in scope, in order, that can have a marker: their own or a follow-up turn's.

        Only a turn with a confirmation phrase can hold a marker, and few do,
        so the turns worth restating-checking are found from those few rather
        than by trying every agent turn of the call.
        """
        marked = ctx.where.get(self.confirm_query)
        if not marked:
            return []
        all_turns = ctx.call.turns
        allowed = set(map(_INDEX, turns))
        follow_up = self.params.follow_up_turns
        near = {i for m in marked for i in range(max(0, m - follow_up), m + 1)}
        return [all_turns[i] for i in sorted(near) if i in allowed and all_turns[i].speaker == AGENT]


class _Memo:
    """What ``ParaphraseDetector.run`` works out per turn, once.

    A customer turn is compared with every later agent turn that asks to
    confirm, and an agent turn's marker is looked for again as the follow-up
    of the turn before; the units and characters of a turn share its content.
    """

    __slots__ = ("detector", "ctx", "_markers", "_units", "_chars", "_contents")

    def __init__(self, detector: ParaphraseDetector, ctx: Context) -> None:
        self.detector, self.ctx = detector, ctx
        self._markers: dict[int, tuple[int, int, int] | None] = {}
        self._units: dict[int, set[str]] = {}
        self._chars: dict[int, set[str]] = {}
        self._contents: dict[int, str] = {}

    def marker(self, turn: Turn) -> tuple[int, int, int] | None:
        if turn.index not in self._markers:
            self._markers[turn.index] = self.detector._marker(turn, self.ctx)
        return self._markers[turn.index]

    def content(self, turn: Turn) -> str:
        found = self._contents.get(turn.index)
        if found is None:
            found = self._contents[turn.index] = self.detector._content(turn.norm)
        return found

    def units(self, turn: Turn) -> set[str]:
        found = self._units.get(turn.index)
        if found is None:
            content = None if self.detector.params.unit == "words" else self.content(turn)
            found = self._units[turn.index] = self.detector._units(turn, self.ctx, content)
        return found

    def chars(self, turn: Turn) -> set[str]:
        found = self._chars.get(turn.index)
        if found is None:
            found = self._chars[turn.index] = self.detector._chars(turn, self.content(turn))
        return found


def content_bigrams(content: str) -> set[str]:
    """The bigrams of ``content`` (see ``ParaphraseDetector._content``) within its words, less those with a digit.

    The regex gives every overlapping pair of characters that are neither a
    space nor a digit: the pairs a Python loop over each word, slicing and
    testing each pair, found in ~1.7 times the time.
    """
    return set(_BIGRAMS.findall(content))


def _runs(turn: Turn, units: set[str]) -> list[str]:
    """The readable stretches of ``turn`` that shared units (characters, bigrams or words) cover, quoted as said.

    Units are found in the normalised text; every occurrence is a span, and
    the spans, sorted, are merged where they overlap or touch. Each stretch
    is then quoted from the original, as evidence is (``said_span``): the
    normalised text is for matching, and can differ (Traditional made
    Simplified, ASR spaces dropped, OpenCC's 打坏 → 打坯). (Marking the spans
    in a byte mask and reading its runs back with a regex took half as long
    again.)
    """
    text = turn.norm
    spans = []
    find = text.find
    for unit in units:
        if not unit:  # covers nothing
            continue
        n = len(unit)
        start = find(unit)
        while start != -1:
            spans.append((start, start + n))
            start = find(unit, start + 1)
    if not spans:
        return sorted(units)
    spans.sort()
    merged = []
    run_start, run_end = spans[0]
    for s, e in spans:
        if s > run_end:
            merged.append((run_start, run_end))
            run_start = s
        if e > run_end:
            run_end = e
    merged.append((run_start, run_end))
    return list(dict.fromkeys(turn.text[slice(*said_span(turn, s, e))] for s, e in merged))


def create(params: ParaphraseParams, bank: PhraseBank) -> ParaphraseDetector:
    return ParaphraseDetector(params, bank)
