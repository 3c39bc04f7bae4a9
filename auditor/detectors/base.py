"""What every detector shares: evidence, findings and the per-call context.

A detector is a small object compiled once from its YAML parameters and then
called once per call. It never does I/O and keeps no state between calls, so
the same compiled checklist runs in one process, a pool or a cluster.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from auditor.compact import fast_constructor, reduce_by_fields
from auditor.transcripts.model import Call, Turn
from auditor.transcripts.normalize import keeps_positions, original_span


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

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the results file; ``span`` stays a tuple, which JSON writers write as an array."""
        d: dict[str, Any] = {"turn": self.turn, "speaker": self.speaker, "text": self.text, "match": self.match, "start": self.start}
        if self.span is not None:
            d["span"] = self.span
        if self.note:
            d["note"] = self.note
        return d


_EvidenceFiller = fast_constructor(Evidence, __name__, "_EvidenceFiller")

#: ``Evidence`` from every field, positionally; what detectors use.
new_evidence: Callable[[int, str, str, str, float | None, tuple[int, int] | None, str], Evidence] = _EvidenceFiller  # type: ignore[assignment]
# Unpickling (results coming back from workers) rebuilds evidence the same fast way.
Evidence.__reduce__ = lambda self: (_EvidenceFiller, reduce_by_fields(self)[1])  # type: ignore[method-assign]


def said_span(turn: Turn, start: int, end: int) -> tuple[int, int]:
    """A ``[start, end)`` span of the turn's *normalised* text, as the span of its original text that says it.

    Nearly every turn's normalised text lines up with the original (full-width
    punctuation becomes half-width one for one), which ``keeps_positions``
    tells in ~0.2 µs without building the offset map (~2.5 µs a turn, and a
    call quotes about six turns).
    """
    return (start, end) if keeps_positions(turn.text, turn.norm) else original_span(turn.text, start, end)


def evidence_at(turn: Turn, start: int, end: int, note: str = "") -> Evidence:
    """Evidence for a ``[start, end)`` span of the *normalised* text, quoted from the original."""
    text = turn.text
    s, e = said_span(turn, start, end)
    return new_evidence(turn.index, turn.speaker, text, text[s:e], turn.start, (s, e), note)


def evidence_turn(turn: Turn, note: str = "") -> Evidence:
    return new_evidence(turn.index, turn.speaker, turn.text, "", turn.start, None, note)


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
    #: Per turn index, the turn's phrase-bank hits filed by query id (see ``PhraseBank.query``); a query with no
    #: hit in a turn has no key, so the common case costs one dictionary look-up and no filtering.
    found: Sequence[dict[int, list[tuple[int, int, int]]]]
    #: Per query id, the indices of the turns where ``found`` has it, in order; a query without a hit has no key.
    where: dict[int, list[int]]

    def signal(self, name: str) -> Finding: ...

    def tokens(self, turn: Turn) -> Sequence[str]: ...


class Detector(Protocol):
    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding: ...


Hit = tuple[int, int, int]
_JOIN = "\x00"  # between turns in one scan; a phrase holding it turns that scan off (no match may cross turns)
_NO_HITS: dict[int, list[Hit]] = {}  # shared by every turn without a hit; never written to


class CallHits(NamedTuple):
    """A call's phrase-bank hits by query."""

    found: list[dict[int, list[Hit]]]  # per turn index: query id -> its hits, only queries with a hit
    where: dict[int, list[int]]  # query id -> the turn indices where it has hits, in order


class PhraseBank:
    """All phrases of a checklist in one Aho-Corasick automaton.

    Each turn is scanned once for every phrase of every rule. Detectors
    register what they look for as a *query* (wanted phrases, exclusions) when
    they are compiled; the hits of a turn are then filed once per query, so a
    detector looks its hits up instead of filtering every hit of every turn
    itself (most turns have no hit at all, and most hits concern one rule).
    Overlapping hits are all reported, which a regex alternation would miss.
    """

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self.phrases: list[str] = []
        self._queries: dict[tuple[frozenset[int], frozenset[int]], int] = {}
        self._automaton: Any = None
        self._fast: Any = None
        self._routes: Any = None

    def add(self, phrase: str) -> int:
        from auditor.transcripts.normalize import normalize

        key = normalize(phrase)
        if not key:
            raise ValueError(f"phrase {phrase!r} is empty after normalisation")
        if key not in self._ids:
            self._ids[key] = len(self.phrases)
            self.phrases.append(key)
            self._automaton = self._fast = self._routes = None
        return self._ids[key]

    def add_all(self, phrases: Sequence[str]) -> frozenset[int]:
        return frozenset(self.add(p) for p in phrases)

    def query(self, wanted: frozenset[int], exclusions: frozenset[int] = frozenset()) -> int:
        """The id under which each turn's hits of ``wanted`` that no ``exclusions`` hit contains are filed.

        The same pair asked twice gets the same id, so two rules with one phrase list share the work.
        """
        key = (frozenset(wanted), frozenset(exclusions))
        qid = self._queries.get(key)
        if qid is None:
            qid = self._queries[key] = len(self._queries)
            self._routes = None
        return qid

    def _build(self) -> Any:
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for pid, phrase in enumerate(self.phrases):
            automaton.add_word(phrase, (pid, len(phrase)))
        if self.phrases:
            automaton.make_automaton()
        return automaton

    def _build_routes(self) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
        """Per phrase id: the queries that want it, and the queries for which it is an exclusion."""
        wanted_by: list[list[int]] = [[] for _ in self.phrases]
        blocks: list[list[int]] = [[] for _ in self.phrases]
        for (wanted, exclusions), qid in self._queries.items():
            for pid in wanted:
                wanted_by[pid].append(qid)
            if wanted:
                for pid in exclusions:
                    blocks[pid].append(qid)
        return [tuple(sorted(q)) for q in wanted_by], [tuple(sorted(q)) for q in blocks]

    def scan(self, text: str) -> list[Hit]:
        if not self.phrases:
            return []
        if self._automaton is None:
            self._automaton = self._build()
        return [(end - n + 1, end + 1, pid) for end, (pid, n) in self._automaton.iter(text)]

    def scan_turns(self, turns: Sequence[Turn]) -> CallHits:
        """Every turn's hits, in ``scan`` order, filed by query (see ``_file``)."""
        if not self.phrases:
            return CallHits([_NO_HITS] * len(turns), {})
        if self._routes is None:
            self._routes = self._build_routes()
        wanted_by, blocks = self._routes
        per_turn = self._scan_joined(turns)
        if per_turn is None:
            per_turn = {i: hits for i, hits in enumerate(self.scan(turn.norm) for turn in turns) if hits}
        # Most turns have no hit: they share the empty defaults, and only the turns with hits are visited.
        found: list[dict[int, list[Hit]]] = [_NO_HITS] * len(turns)
        where: dict[int, list[int]] = {}
        for i, hits in per_turn.items():
            found[i] = filed = _file(hits, wanted_by, blocks)
            index = turns[i].index
            for qid in filed:
                turns_of = where.get(qid)
                if turns_of is None:
                    where[qid] = [index]
                else:
                    turns_of.append(index)
        return CallHits(found, where)

    def _scan_joined(self, turns: Sequence[Turn]) -> dict[int, list[Hit]] | None:
        """``scan`` of every turn with a hit, by position in ``turns`` and in order, in one pass over the call; ``None`` if it cannot.

        The call's turns are joined with a character no phrase holds, so no
        match crosses from one turn into the next, and searched at once by
        ``ahocorasick_rs`` (Rust), which gives the same matches in the same
        order as ``scan`` (by end, then longest first), as character offsets:
        10 µs a call where pyahocorasick took 18, even over the UTF-32 bytes
        of the text that had halved its trie searches (and ~9 µs less in a
        whole audit, where the smaller automaton stays in cache better).
        """
        if self._fast is None:
            self._fast = self._build_fast()
        if self._fast is False:
            return None
        norms = [turn.norm for turn in turns]
        try:
            matches = self._fast(_JOIN.join(norms), overlapping=True)
        except UnicodeEncodeError:  # a lone surrogate: loaders replace them, but a call can be built by hand
            return None
        out: dict[int, list[Hit]] = {}
        i, base, bound = 0, 0, len(norms[0]) if norms else 0
        current: list[Hit] | None = None
        for pid, s, e in matches:
            if e > bound:  # past the current turn: find the one it is in (characters [base, bound))
                while e > bound:
                    i += 1
                    base = bound + 1
                    bound = base + len(norms[i])
                current = None
            if current is None:
                current = out[i] = []
            current.append((s - base, e - base, pid))
        return out

    def _build_fast(self) -> Any:
        """The search ``_scan_joined`` uses, or ``False`` when it cannot be used for these phrases.

        That is when a phrase holds the joining character or a lone surrogate
        (Rust strings cannot), or when the library does not order overlapping
        matches as ``scan`` does (checked on a probe, so a change in it shows
        as slower scans, not different results).
        """
        import ahocorasick_rs

        if any(_JOIN in phrase for phrase in self.phrases):
            return False
        try:
            for phrase in self.phrases:
                phrase.encode("utf-8")
        except UnicodeEncodeError:
            return False
        standard = ahocorasick_rs.MatchKind.Standard
        probe = ahocorasick_rs.AhoCorasick(["abc", "c", "bc", "b"], matchkind=standard)
        if probe.find_matches_as_indexes("abcbc", overlapping=True) != [(3, 1, 2), (0, 0, 3), (2, 1, 3), (1, 2, 3), (3, 3, 4), (2, 3, 5), (1, 4, 5)]:
            return False
        return ahocorasick_rs.AhoCorasick(self.phrases, matchkind=standard).find_matches_as_indexes

    def __getstate__(self) -> dict[str, Any]:
        # Rebuild the automaton in the worker rather than pickling it.
        return {"_ids": self._ids, "phrases": self.phrases, "_queries": self._queries, "_automaton": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._ids, self.phrases, self._automaton = state["_ids"], state["phrases"], None
        self._queries, self._fast, self._routes = state.get("_queries", {}), None, None


def _file(hits: list[Hit], wanted_by: list[tuple[int, ...]], blocks: list[tuple[int, ...]]) -> dict[int, list[Hit]]:
    """A turn's hits by query, in one pass over the hits.

    A query keeps the hits of its wanted phrases that are not inside a hit of
    one of its exclusions (不用谢 voids 谢).
    """
    out: dict[int, list[Hit]] = {}
    spans: dict[int, list[tuple[int, int]]] | None = None
    for h in hits:
        pid = h[2]
        for qid in wanted_by[pid]:
            filed = out.get(qid)
            if filed is None:
                out[qid] = [h]
            else:
                filed.append(h)
        if blocks[pid]:
            if spans is None:
                spans = {}
            for qid in blocks[pid]:
                spans.setdefault(qid, []).append((h[0], h[1]))
    if spans:
        for qid, blocked in spans.items():
            filed = out.get(qid)
            if filed:
                kept = [h for h in filed if not _inside_any(h, blocked)]
                if kept:
                    out[qid] = kept
                else:
                    del out[qid]
    return out


def _inside_any(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    for s, e in spans:
        if s <= hit[0] and hit[1] <= e:
            return True
    return False


#: Characters that carry content in normalised text: digits, lower-case Latin and CJK.
NON_CONTENT = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")


def words_pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    """One regex for a checklist's list of words to strip (normalised, longest first so 您是说 wins over 您)."""
    from auditor.transcripts.normalize import normalize

    ordered = sorted({normalize(w) for w in words if w.strip()}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered)) if ordered else None
