"""Customer emotion: a weighted lexicon plus intensity cues, per turn.

A QA reviewer calls a customer upset from words (气死了, 投诉), from how they
are said (！！！, repeated words, rhetorical questions) and from sarcasm that
praises the failure (效率真高啊). Each cue adds to a turn's score; a turn at or
over ``threshold`` is "upset". Weights and threshold live in the checklist so
a QA lead can tune them against the gold set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import Context, Finding, PhraseBank, evidence_at, evidence_turn
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
        self.query = bank.query(self.all_ids, self.exclusions)
        self.bank = bank
        #: Per phrase id, the terms (their positions in ``terms``) that list it, in order.
        self._terms_of: dict[int, tuple[int, ...]] = {
            pid: tuple(n for n, (*_, ids) in enumerate(self.terms) if pid in ids) for pid in self.all_ids
        }

    def score(self, turn: Turn, ctx: Context) -> TurnEmotion:
        reasons: list[str] = []
        score, span = self._score(turn, ctx, reasons)
        return TurnEmotion(turn, score, reasons, span)

    def _score(self, turn: Turn, ctx: Context, reasons: list[str] | None) -> tuple[float, tuple[int, int] | None]:
        """A turn's score and the span of its first term; the reasons too when a list is given for them.

        Most turns are scored only for the number: their reasons are never
        shown, so they are not written. The additions are the same either way,
        in the same order, so the score is the same float.
        """
        # Text is normalised (NFKC), so full-width ！ and ？ are already ! and ?.
        hits = ctx.found[turn.index].get(self.query)
        score = 0.0
        span = None
        if hits:
            for n, distinct in self._by_term(_outermost(hits) if len(hits) > 1 else hits):
                label, weight, _ids = self.terms[n]
                for pid, (s, e, _) in distinct.items():
                    score += weight
                    if reasons is not None:
                        reasons.append(f"{label} “{self.bank.phrases[pid]}” +{weight:g}")
                    if span is None:
                        span = (s, e)
        text = turn.norm
        cues = self.cues
        if "!" in text:
            if cues.exclamation_run and text.count("!") >= 2:
                score += cues.exclamation_run
                if reasons is not None:
                    reasons.append(f"exclamations +{cues.exclamation_run:g}")
            elif cues.exclamation:
                score += cues.exclamation
                if reasons is not None:
                    reasons.append(f"exclamation +{cues.exclamation:g}")
        if cues.question_run and "?" in text and ("??" in text or "?!" in text or "!?" in text):
            score += cues.question_run
            if reasons is not None:
                reasons.append(f"insistent questions +{cues.question_run:g}")
        if cues.repetition and len(text) >= 4 and _REPEAT.search(text):
            score += cues.repetition
            if reasons is not None:
                reasons.append(f"repetition +{cues.repetition:g}")
        return score, span

    def _by_term(self, hits: list[tuple[int, int, int]]) -> list[tuple[int, dict[int, tuple[int, int, int]]]]:
        """Per term that has hits (in the order of ``terms``), its distinct phrases in order of first hit, each with its last hit.

        Each distinct phrase counts once: "推来推去 … 崩溃" is more upset than
        either. A turn's few hits are sorted into terms through ``_terms_of``
        rather than each of the seven terms of the default checklist looking
        through every hit: 2.1 µs a turn with a term instead of 3.6.
        """
        if len(hits) == 1:  # most turns with a term
            hit = hits[0]
            return [(n, {hit[2]: hit}) for n in self._terms_of[hit[2]]]
        by_term: dict[int, dict[int, tuple[int, int, int]]] = {}
        for hit in hits:
            for n in self._terms_of[hit[2]]:
                distinct = by_term.get(n)
                if distinct is None:
                    by_term[n] = {hit[2]: hit}
                else:
                    distinct[hit[2]] = hit
        return sorted(by_term.items())

    def _scores(self, turns: Sequence[Turn], ctx: Context, plain: bool = True) -> Iterator[tuple[Turn, float]]:
        """Each turn with its score (``_score``), worked out without a call for most turns.

        A turn with no term, '!' or '?' (most turns: calm) can score only the
        repetition cue, so only that search is made for it, and with
        ``plain=False`` not even that: it scores 0.
        """
        filed = ctx.found
        query = self.query
        repetition = self.cues.repetition if plain else 0.0
        for turn in turns:
            text = turn.norm
            if query in filed[turn.index] or "!" in text or "?" in text:
                yield turn, self._score(turn, ctx, None)[0]
            elif repetition and len(text) >= 4 and _REPEAT.search(text):
                yield turn, 0.0 + repetition  # all _score would add up for such a turn
            else:
                yield turn, 0.0

    def fires(self, turns: Sequence[Turn], ctx: Context) -> bool:
        """``run(turns, ctx).hit``, stopping at the first upset turn, and with no repetition search where it cannot matter.

        Most calls have no upset turn, and proving that is most of the
        signal's cost when every turn's score is worked out. A turn with no
        term, '!' or '?' scores at most the repetition cue: below the
        threshold, the search for it cannot change the answer.
        """
        threshold = self.threshold
        for _, score in self._scores(turns, ctx, plain=self.cues.repetition >= threshold):
            if score >= threshold:
                return True
        return False

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        scores: dict[int, float] = {}
        upset: list[Turn] = []
        threshold = self.threshold
        for turn, score in self._scores(turns, ctx):
            scores[turn.index] = score
            if score >= threshold:
                upset.append(turn)
        evidence = []
        for turn in upset[:3]:
            s = self.score(turn, ctx)
            note = f"emotion {s.score:g} ≥ {self.threshold:g}: " + "; ".join(s.reasons)
            evidence.append(evidence_at(s.turn, *s.span, note) if s.span else evidence_turn(s.turn, note))
        metrics = {"peak_emotion": max(scores.values(), default=0.0), "scores": scores}
        return Finding(bool(upset), evidence, metrics, turns=tuple(t.index for t in upset))


def create(params: EmotionParams, bank: PhraseBank) -> EmotionDetector:
    return EmotionDetector(params, bank)
