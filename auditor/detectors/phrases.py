"""Phrase lists: the workhorse detector (greeting, thanks, farewell, forbidden words).

Matching is on normalised text through the checklist's shared phrase bank;
``exclude`` phrases void any hit they contain, which is how a checklist says
"不用谢 is not a thank-you" or "谢女士 is a surname" without code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import Context, Finding, PhraseBank, evidence_at, filter_hits
from auditor.transcripts.model import Turn

MAX_EVIDENCE = 5

Phrase = str


class PhrasesParams(BaseModel):
    """Pass when ``any`` (at least ``min_count``), ``all`` or ``none`` of the phrases occur in scope."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["phrases"]
    match: Literal["any", "all", "none"] = "any"
    phrases: list[Phrase] = Field(min_length=1, max_length=5000)
    exclude: list[Phrase] = Field(default_factory=list, max_length=5000)
    min_count: int = Field(1, ge=1)


class PhrasesDetector:
    def __init__(self, params: PhrasesParams, bank: PhraseBank) -> None:
        self.match = params.match
        self.min_count = params.min_count
        self.wanted = bank.add_all(params.phrases)
        self.exclusions = bank.add_all(params.exclude)
        self.bank = bank

    def find(self, turns: Sequence[Turn], ctx: Context) -> list[tuple[Turn, int, int, int]]:
        found = []
        for turn in turns:
            kept_end = -1
            # longest first at each position, then drop hits overlapping a kept one (谢谢 vs 谢您)
            for s, e, pid in sorted(filter_hits(ctx.hits(turn), self.wanted, self.exclusions), key=lambda h: (h[0], -h[1])):
                if s >= kept_end:
                    found.append((turn, s, e, pid))
                    kept_end = e
        return found

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        found = self.find(turns, ctx)
        evidence = [evidence_at(t, s, e, f"phrase “{self.bank.phrases[pid]}”") for t, s, e, pid in found[:MAX_EVIDENCE]]
        if self.match == "any":
            return Finding(len(found) >= self.min_count, evidence, turns=tuple(sorted({t.index for t, *_ in found})))
        if self.match == "none":
            return Finding(not found, evidence, turns=tuple(sorted({t.index for t, *_ in found})))
        seen = {pid for *_, pid in found}
        missing = [self.bank.phrases[p] for p in sorted(self.wanted - seen)]
        return Finding(not missing, evidence, {"missing": missing} if missing else {})


def create(params: PhrasesParams, bank: PhraseBank) -> PhrasesDetector:
    return PhrasesDetector(params, bank)
