"""Did the speaker actually say something? The trigger for rules like paraphrase.

A reviewer marks paraphrase-and-confirm N/A on a wrong number, a pocket dial,
a silent line or a caller who only says hello: there is nothing to restate.
Rather than list every way a customer can state a problem, we ask whether
any turn has enough content once greetings, fillers and stage directions
are removed, and let ``void`` phrases (打错了, 没事了) mark turns that withdraw.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import NON_CONTENT, Context, Finding, PhraseBank, evidence_turn, words_pattern
from auditor.transcripts.model import Turn

_STAGE = re.compile(r"[（(\[【][^）)\]】]{0,30}[）)\]】]")


class SubstanceParams(BaseModel):
    """Fire when a turn in scope has at least ``min_chars`` content characters and no ``void`` phrase."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["substance"]
    min_chars: int = Field(8, ge=1, le=200)
    ignore: list[str] = Field(default_factory=list, max_length=5000, description="greetings, fillers, apologies: not content")
    void: list[str] = Field(default_factory=list, max_length=5000, description="phrases that withdraw the turn (打错了, 不用了)")


class SubstanceDetector:
    def __init__(self, params: SubstanceParams, bank: PhraseBank) -> None:
        self.min_chars = params.min_chars
        self.void = bank.add_all(params.void) if params.void else frozenset()
        self.void_query = bank.query(self.void) if self.void else None
        self._ignore = words_pattern(params.ignore)

    def content(self, turn: Turn) -> str:
        text = _STAGE.sub("", turn.norm)
        if self._ignore is not None:
            text = self._ignore.sub("", text)
        return NON_CONTENT.sub("", text)

    def _fired(self, turns: Sequence[Turn], ctx: Context) -> Iterator[tuple[Turn, int]]:
        """Turns in scope with enough content, and how much, lazily: whether any does needs only the first."""
        filed = ctx.found
        void = self.void_query
        for turn in turns:
            # Content is a subsequence of the text, so a text shorter than min_chars cannot have enough.
            if len(turn.norm) < self.min_chars or (void is not None and void in filed[turn.index]):
                continue
            chars = len(self.content(turn))
            if chars >= self.min_chars:
                yield turn, chars

    def fires(self, turns: Sequence[Turn], ctx: Context) -> bool:
        """``run(turns, ctx).hit``, stopping at the first turn with content: all a condition asks."""
        return next(self._fired(turns, ctx), None) is not None

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        fired = list(self._fired(turns, ctx))
        evidence = [evidence_turn(fired[0][0], f"{fired[0][1]} content characters")] if fired else []
        return Finding(bool(fired), evidence, turns=tuple(t.index for t, _ in fired))


def create(params: SubstanceParams, bank: PhraseBank) -> SubstanceDetector:
    return SubstanceDetector(params, bank)
