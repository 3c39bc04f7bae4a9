"""Did the speaker actually say something? The trigger for rules like paraphrase.

A reviewer marks paraphrase-and-confirm N/A on a wrong number, a pocket dial,
a silent line or a caller who only says hello: there is nothing to restate.
Rather than list every way a customer can state a problem, we ask whether
any turn has enough content once greetings, fillers and stage directions
are removed, and let ``void`` phrases (打错了, 没事了) mark turns that withdraw.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import NON_CONTENT, Context, Finding, PhraseBank, evidence_turn, filter_hits, words_pattern
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
        self._ignore = words_pattern(params.ignore)

    def content(self, turn: Turn) -> str:
        text = _STAGE.sub("", turn.norm)
        if self._ignore is not None:
            text = self._ignore.sub("", text)
        return NON_CONTENT.sub("", text)

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        fired = []
        for turn in turns:
            if self.void and filter_hits(ctx.hits(turn), self.void, frozenset()):
                continue
            if len(self.content(turn)) >= self.min_chars:
                fired.append(turn)
        evidence = [evidence_turn(t, f"{len(self.content(t))} content characters") for t in fired[:1]]
        return Finding(bool(fired), evidence, turns=tuple(t.index for t in fired))


def create(params: SubstanceParams, bank: PhraseBank) -> SubstanceDetector:
    return SubstanceDetector(params, bank)
