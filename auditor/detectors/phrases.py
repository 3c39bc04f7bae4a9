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

from auditor.detectors.base import Context, Finding, PhraseBank, evidence_at
from auditor.detectors.regex import PatternSet
from auditor.transcripts.model import Turn

MAX_EVIDENCE = 5
_QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」|『[^』]*』|‘[^’]*’")
# Whether a turn has an opening quotation mark at all; only then is ``_QUOTED`` asked where the quotations are.
# (A regex search, 0.15 µs, not a set intersection with the text, which makes a string of every character: 0.8 µs.)
_QUOTE_CHAR = re.compile("[“\"「『‘]")

Phrase = str


def _by_start_longest(hit: tuple[int, int, int]) -> tuple[int, int]:
    return hit[0], -hit[1]


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
        self.query = bank.query(self.wanted, self.exclusions)
        self.bank = bank
        # Patterns get ids after the bank's phrases so a hit can name either.
        self.patterns = PatternSet(params.patterns, True)
        self.ignore_quoted = params.ignore_quoted

    def find(self, turns: Sequence[Turn], ctx: Context) -> list[tuple[Turn, int, int, int]]:
        found: list[tuple[Turn, int, int, int]] = []
        filed = ctx.found
        query = self.query
        # One scan of all the turns tells whether a pattern can match in any of them (usually not).
        patterns = self.patterns if self.patterns.sources and self.patterns.may_match([t.norm for t in turns]) else None
        if patterns is None and query not in ctx.where:  # not a hit in the whole call: usual for most rules
            return found
        for turn in turns:
            hits = filed[turn.index].get(query)
            if patterns is not None:
                hits = self._with_patterns(turn.norm, hits)
            if not hits:
                continue
            if self.ignore_quoted and _QUOTE_CHAR.search(turn.norm) is not None:
                quoted = [m.span() for m in _QUOTED.finditer(turn.norm)]
                hits = [h for h in hits if not any(qs < h[0] and h[1] < qe for qs, qe in quoted)]
            if len(hits) == 1:
                s, e, pid = hits[0]
                found.append((turn, s, e, pid))
                continue
            kept_end = -1
            # longest first at each position, then drop hits overlapping a kept one (谢谢 vs 谢您)
            for s, e, pid in sorted(hits, key=_by_start_longest):
                if s >= kept_end:
                    found.append((turn, s, e, pid))
                    kept_end = e
        return found

    def _with_patterns(self, text: str, hits: list[tuple[int, int, int]] | None) -> list[tuple[int, int, int]] | None:
        """The turn's phrase hits plus its pattern hits (a new list: the filed hits are shared)."""
        matching = self.patterns.matching(text)
        if not matching:
            return hits
        hits = list(hits) if hits else []
        for i in matching:
            hits += [(m.start(), m.end(), -1 - i) for m in self.patterns.compiled[i].finditer(text) if m.end() > m.start()]
        return hits

    def describe(self, pid: int) -> str:
        return f"pattern /{self.patterns.sources[-1 - pid]}/" if pid < 0 else f"phrase “{self.bank.phrases[pid]}”"

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        found = self.find(turns, ctx)
        if not found and self.match != "all":  # the usual case for forbidden words, and for a missing greeting
            return Finding(self.match == "none", [])
        evidence = [evidence_at(t, s, e, self.describe(pid)) for t, s, e, pid in found[:MAX_EVIDENCE]]
        if self.match == "any":
            return Finding(len(found) >= self.min_count, evidence, turns=_turns_of(found))
        if self.match == "none":
            return Finding(not found, evidence, turns=_turns_of(found))
        seen = {pid for *_, pid in found if pid >= 0}
        missing = [self.bank.phrases[p] for p in sorted(self.wanted - seen)]
        return Finding(not missing, evidence, {"missing": missing} if missing else {})


def _turns_of(found: list[tuple[Turn, int, int, int]]) -> tuple[int, ...]:
    """The indices of the turns with a kept hit, in order."""
    return tuple(sorted({f[0].index for f in found}))


def create(params: PhrasesParams, bank: PhraseBank) -> PhrasesDetector:
    return PhrasesDetector(params, bank)
