"""What every detector shares: evidence, findings and the per-call context.

A detector is a small object compiled once from its YAML parameters and then
called once per call. It never does I/O and keeps no state between calls, so
the same compiled checklist runs in one process, a pool or a cluster.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from auditor.compact import reduce_by_fields
from auditor.transcripts.model import Call, Turn
from auditor.transcripts.normalize import original_span


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a verdict was reached: the turn, the words that matched, and a note a reviewer can read."""

    turn: int
    speaker: str
    text: str
    match: str
    start: float | None = None
    span: tuple[int, int] | None = None
    note: str = ""

    __reduce__ = reduce_by_fields

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"turn": self.turn, "speaker": self.speaker, "text": self.text, "match": self.match, "start": self.start}
        if self.span is not None:
            d["span"] = list(self.span)
        if self.note:
            d["note"] = self.note
        return d


def evidence_at(turn: Turn, start: int, end: int, note: str = "") -> Evidence:
    """Evidence for a ``[start, end)`` span of the *normalised* text, quoted from the original."""
    s, e = original_span(turn.text, start, end)
    return Evidence(turn.index, turn.speaker, turn.text, turn.text[s:e], turn.start, (s, e), note)


def evidence_turn(turn: Turn, note: str = "") -> Evidence:
    return Evidence(turn.index, turn.speaker, turn.text, "", turn.start, None, note)


@dataclass(slots=True)
class Finding:
    """A detector's answer: whether what it tests holds, with evidence and optional metrics."""

    hit: bool
    evidence: list[Evidence] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    turns: tuple[int, ...] = ()  # turns where it fired, for detectors that trigger others


class Context(Protocol):
    """What the engine offers a detector about the call being audited."""

    call: Call

    def hits(self, turn: Turn) -> Sequence[tuple[int, int, int]]:
        """Phrase-bank hits ``(start, end, phrase_id)`` on the turn's normalised text."""

    def signal(self, name: str) -> Finding: ...

    def tokens(self, turn: Turn) -> Sequence[str]: ...


class Detector(Protocol):
    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding: ...


class PhraseBank:
    """All phrases of a checklist in one Aho-Corasick automaton.

    Each turn is scanned once for every phrase of every rule; detectors then
    filter the hits by the phrase ids they registered. Overlapping hits are all
    reported, which a regex alternation would miss.
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.phrases: list[str] = []
        self._automaton: Any = None

    def add(self, phrase: str) -> int:
        from auditor.transcripts.normalize import normalize

        key = normalize(phrase)
        if not key:
            raise ValueError(f"phrase {phrase!r} is empty after normalisation")
        if key not in self._ids:
            self._ids[key] = len(self.phrases)
            self.phrases.append(key)
            self._automaton = None
        return self._ids[key]

    def add_all(self, phrases: Sequence[str]) -> frozenset[int]:
        return frozenset(self.add(p) for p in phrases)

    def _build(self) -> Any:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for pid, phrase in enumerate(self.phrases):
            automaton.add_word(phrase, (pid, len(phrase)))
        if self.phrases:
            automaton.make_automaton()
        return automaton

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        if not self.phrases:
            return []
        if self._automaton is None:
            self._automaton = self._build()
        return [(end - n + 1, end + 1, pid) for end, (pid, n) in self._automaton.iter(text)]

    def __getstate__(self) -> dict[str, Any]:
        # Rebuild the automaton in the worker rather than pickling it.
        return {"_ids": self._ids, "phrases": self.phrases, "_automaton": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._ids, self.phrases, self._automaton = state["_ids"], state["phrases"], None


def filter_hits(hits: Sequence[tuple[int, int, int]], wanted: frozenset[int], exclusions: frozenset[int]) -> list[tuple[int, int, int]]:
    """Hits of ``wanted`` phrases not inside a hit of an exclusion (不用谢 voids 谢)."""
    if not hits:  # most turns, for most rules
        return []
    if not exclusions:
        return [h for h in hits if h[2] in wanted]
    blocks = [(s, e) for s, e, pid in hits if pid in exclusions]
    return [h for h in hits if h[2] in wanted and not any(bs <= h[0] and h[1] <= be for bs, be in blocks)]


#: Characters that carry content in normalised text: digits, lower-case Latin and CJK.
NON_CONTENT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def words_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """One regex for a checklist's list of words to strip (normalised, longest first so 您是说 wins over 您)."""
    from auditor.transcripts.normalize import normalize

    ordered = sorted({normalize(w) for w in words if w.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered)) if ordered else None
