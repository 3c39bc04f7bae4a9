"""Phrase lists: the workhorse detector (greeting, thanks, farewell, forbidden words).

Matching is on normalised text through the checklist's shared phrase bank;
``exclude`` phrases void any hit they contain, which is how a checklist says
"不用谢 is not a thank-you" or "谢女士 is a surname" without code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import Context, Finding, PhraseBank, evidence_at, filter_hits
from auditor.detectors.regex import PatternSet
from auditor.transcripts.model import Turn

MAX_EVIDENCE = 5
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」|『[^』]*』|‘[^’]*’")
_QUOTE_CHARS = frozenset("“\"「『‘")

Phrase = str


class PhrasesParams(BaseModel):
    """Pass when ``any`` (at least ``min_count``), ``all`` or ``none`` of the phrases occur in scope."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["phrases"]
    match: Literal["any", "all", "none"] = "any"
    phrases: list[Phrase] = Field(min_length=1, max_length=5000)
    exclude: list[Phrase] = Field(default_factory=list, max_length=5000)
    patterns: list[str] = Field(default_factory=list, max_length=500, description="RE2 regular expressions that count as phrases")
    min_count: int = Field(1, ge=1)
    ignore_quoted: bool = Field(True, description="words inside quotation marks are reported speech, not the speaker's own")


class PhrasesDetector:
    def __init__(self, params: PhrasesParams, bank: PhraseBank) -> None:
        self.match = params.match
        self.min_count = params.min_count
        self.wanted = bank.add_all(params.phrases)
        self.exclusions = bank.add_all(params.exclude)
        self.bank = bank
        # Patterns get ids after the bank's phrases so a hit can name either.
        self.patterns = PatternSet(params.patterns, True)
        self.ignore_quoted = params.ignore_quoted

    def find(self, turns: Sequence[Turn], ctx: Context) -> list[tuple[Turn, int, int, int]]:
        found = []
        for turn in turns:
            hits = filter_hits(ctx.hits(turn), self.wanted, self.exclusions)
            for i in self.patterns.matching(turn.norm):
                hits += [(m.start(), m.end(), -1 - i) for m in self.patterns.compiled[i].finditer(turn.norm) if m.end() > m.start()]
            if self.ignore_quoted and _QUOTE_CHARS.intersection(turn.norm):
                quoted = [m.span() for m in _QUOTED.finditer(turn.norm)]
                hits = [h for h in hits if not any(qs < h[0] and h[1] < qe for qs, qe in quoted)]
            kept_end = -1
            # longest first at each position, then drop hits overlapping a kept one (谢谢 vs 谢您)
            for s, e, pid in sorted(hits, key=lambda h: (h[0], -h[1])):
                if s >= kept_end:
                    found.append((turn, s, e, pid))
                    kept_end = e
        return found

    def describe(self, pid: int) -> str:
        return f"pattern /{self.patterns.sources[-1 - pid]}/" if pid < 0 else f"phrase “{self.bank.phrases[pid]}”"

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        found = self.find(turns, ctx)
        evidence = [evidence_at(t, s, e, self.describe(pid)) for t, s, e, pid in found[:MAX_EVIDENCE]]
        if self.match == "any":
            return Finding(len(found) >= self.min_count, evidence, turns=tuple(sorted({t.index for t, *_ in found})))
        if self.match == "none":
            return Finding(not found, evidence, turns=tuple(sorted({t.index for t, *_ in found})))
        seen = {pid for *_, pid in found if pid >= 0}
        missing = [self.bank.phrases[p] for p in sorted(self.wanted - seen)]
        return Finding(not missing, evidence, {"missing": missing} if missing else {})


def create(params: PhrasesParams, bank: PhraseBank) -> PhrasesDetector:
    return PhrasesDetector(params, bank)
