"""Customer emotion: a weighted lexicon plus intensity cues, per turn.

A QA reviewer calls a customer upset from words (气死了, 投诉), from how they
are said (！！！, repeated words, rhetorical questions) and from sarcasm that
praises the failure (效率真高啊). Each cue adds to a turn's score; a turn at or
over ``threshold`` is "upset". Weights and threshold live in the checklist so
a QA lead can tune them against the gold set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import Context, Finding, PhraseBank, evidence_at, evidence_turn, filter_hits
from auditor.transcripts.model import Turn

_REPEAT = re.compile(r"(.{2,4}?)[,，。!！\s]*\1[,，。!！\s]*\1?")


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str = "negative"
    weight: float = Field(gt=0)
    phrases: list[str] = Field(min_length=1, max_length=5000)


class Cues(BaseModel):
    """Intensity added by the shape of the turn, independent of words."""

    model_config = ConfigDict(extra="forbid")
    exclamation_run: float = Field(1.0, ge=0, description="'!!' or two '!' in one turn")
    exclamation: float = Field(0.0, ge=0, description="a single '!'")
    question_run: float = Field(0.5, ge=0)
    repetition: float = Field(0.5, ge=0)


class EmotionParams(BaseModel):
    """Score each turn in scope; fire when a turn reaches ``threshold``."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["emotion"]
    threshold: float = Field(2.0, gt=0)
    terms: list[Term] = Field(min_length=1)
    exclude: list[str] = Field(default_factory=list)
    cues: Cues = Field(default_factory=Cues)


def _outermost(hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """好几天了 should count once, not again as the 好几天 inside it."""
    kept: list[tuple[int, int, int]] = []
    for h in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        if not any(k[0] <= h[0] and h[1] <= k[1] for k in kept):
            kept.append(h)
    return sorted(kept)


class TurnEmotion:
    __slots__ = ("turn", "score", "reasons", "span")

    def __init__(self, turn: Turn, score: float, reasons: list[str], span: tuple[int, int] | None) -> None:
        self.turn, self.score, self.reasons, self.span = turn, score, reasons, span


class EmotionDetector:
    def __init__(self, params: EmotionParams, bank: PhraseBank) -> None:
        self.threshold = params.threshold
        self.cues = params.cues
        self.terms = [(t.label, t.weight, bank.add_all(t.phrases)) for t in params.terms]
        self.all_ids = frozenset().union(*(ids for *_, ids in self.terms))
        self.exclusions = bank.add_all(params.exclude)
        self.bank = bank

    def score(self, turn: Turn, ctx: Context) -> TurnEmotion:
        # Text is normalised (NFKC), so full-width ！ and ？ are already ! and ?.
        hits = filter_hits(ctx.hits(turn), self.all_ids, self.exclusions)
        score = 0.0
        reasons: list[str] = []
        span = None
        if hits:
            hits = _outermost(hits)
            for label, weight, ids in self.terms:
                # each distinct phrase counts once: "推来推去 … 崩溃" is more upset than either
                distinct = {h[2]: h for h in hits if h[2] in ids}
                for pid, (s, e, _) in distinct.items():
                    score += weight
                    reasons.append(f"{label} “{self.bank.phrases[pid]}” +{weight:g}")
                    if span is None:
                        span = (s, e)
        text = turn.norm
        if "!" in text:
            if self.cues.exclamation_run and text.count("!") >= 2:
                score += self.cues.exclamation_run
                reasons.append(f"exclamations +{self.cues.exclamation_run:g}")
            elif self.cues.exclamation:
                score += self.cues.exclamation
                reasons.append(f"exclamation +{self.cues.exclamation:g}")
        if self.cues.question_run and "?" in text and ("??" in text or "?!" in text or "!?" in text):
            score += self.cues.question_run
            reasons.append(f"insistent questions +{self.cues.question_run:g}")
        if self.cues.repetition and len(text) >= 4 and _REPEAT.search(text):
            score += self.cues.repetition
            reasons.append(f"repetition +{self.cues.repetition:g}")
        return TurnEmotion(turn, score, reasons, span)

    def scores(self, turns: Sequence[Turn], ctx: Context) -> list[TurnEmotion]:
        return [self.score(t, ctx) for t in turns]

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        scored = self.scores(turns, ctx)
        upset = [s for s in scored if s.score >= self.threshold]
        evidence = []
        for s in upset[:3]:
            note = f"emotion {s.score:g} ≥ {self.threshold:g}: " + "; ".join(s.reasons)
            evidence.append(evidence_at(s.turn, *s.span, note) if s.span else evidence_turn(s.turn, note))
        metrics = {"peak_emotion": max((s.score for s in scored), default=0.0), "scores": {s.turn.index: s.score for s in scored}}
        return Finding(bool(upset), evidence, metrics, turns=tuple(s.turn.index for s in upset))


def create(params: EmotionParams, bank: PhraseBank) -> EmotionDetector:
    return EmotionDetector(params, bank)
