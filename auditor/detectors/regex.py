"""Regular expressions, run by RE2 so that no checklist pattern can hang a batch.

RE2 matches in linear time: a pattern with catastrophic backtracking in
Python's ``re`` is either rejected at validation (back-references,
look-around) or simply runs fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import Context, Finding, PhraseBank, evidence_at
from auditor.transcripts.model import Turn

MAX_PATTERN_CHARS = 2000
# Anchors to the whole text and switched-off flags: a pattern holding one is never run over joined lines.
_UNJOINABLE = re.compile(r"\\[AzZCQ]|\(\?[a-zA-Z]*-")


class RegexParams(BaseModel):
    """Pass when ``any`` pattern matches in scope (or, with ``none``, when none does)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["regex"]
    match: Literal["any", "none"] = "any"
    patterns: list[str] = Field(min_length=1, max_length=500)
    ignore_case: bool = True


def pattern_error(pattern: str) -> str | None:
    """Why a pattern cannot be used, with its position where there is one; ``None`` if it is fine."""
    import re2

    if len(pattern) > MAX_PATTERN_CHARS:
        return f"pattern is {len(pattern)} characters, over the limit of {MAX_PATTERN_CHARS}"
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression at position {exc.pos}: {exc.msg}"
    options = re2.Options()
    options.log_errors = False
    try:
        re2.compile(pattern, options)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return f"not supported by the linear-time engine (RE2: {detail}); back-references and look-around cannot be used"
    return None


def _options(ignore_case: bool) -> Any:
    import re2

    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    return options


def _normalized(pattern: str) -> str:
    from auditor.transcripts.normalize import normalize

    # Patterns see normalised text, so normalise their literal parts the same
    # way (full-width → half-width, Traditional → Simplified).
    return normalize(pattern) if not pattern.isascii() else pattern


def compile_pattern(pattern: str, ignore_case: bool) -> Any:
    import re2

    return re2.compile(_normalized(pattern), _options(ignore_case))


class PatternSet:
    """A detector's patterns, plus one RE2 set that tells in a single scan which of them match a text at all.

    Most turns match none of a rule's patterns; asking each pattern in turn
    cost a call into RE2 (and a UTF-8 encoding of the turn) per pattern per
    turn. The set answers for all of them at once, and only the patterns it
    names are run for their positions, so the hits are the same.
    """

    def __init__(self, patterns: Sequence[str], ignore_case: bool) -> None:
        self.sources = list(patterns)
        self.ignore_case = ignore_case
        self.compiled = [compile_pattern(p, ignore_case) for p in self.sources]
        self._set: Any = None
        self._lines_set: Any = None

    def matching(self, text: str) -> list[int]:
        """Indices of the patterns that match somewhere in ``text``, in order."""
        if not self.sources:
            return []
        if self._set is None:
            import re2

            self._set = re2.Set.SearchSet(_options(self.ignore_case))
            for p in self.sources:
                self._set.Add(_normalized(p))
            self._set.Compile()
        found = self._set.Match(text)
        return sorted(found) if found else []

    def may_match(self, texts: Sequence[str]) -> bool:
        """``False`` only when no pattern matches any of ``texts``: one scan of them all instead of one per text.

        The texts are joined as lines and every pattern is asked in multi-line
        mode, where ``^``, ``$`` and word boundaries see a line break as they see
        the start or end of a text; a pattern that matches inside one text thus
        matches the joined lines, while a match across two texts is only a
        false alarm that the per-text scan then rules out. Patterns whose
        meaning could differ joined (``\\A``, ``\\z``, flags turned off) keep the per-text scan.
        """
        if not self.sources:
            return False
        if self._lines_set is None:
            self._lines_set = self._build_lines_set()
        if self._lines_set is False:
            return True
        found = self._lines_set.Match("\n".join(texts))
        # The last pattern is empty and matches any text: without it in the answer, RE2 gave up (out of memory).
        return found is None or len(found) > 1

    def _build_lines_set(self) -> Any:
        import re2

        patterns = [_normalized(p) for p in self.sources]
        if any(_UNJOINABLE.search(p) for p in patterns):
            return False
        options = _options(self.ignore_case)
        options.max_mem = 64 << 20  # room for the DFA over a whole call's text; if it still gives up, see may_match
        try:
            lines_set = re2.Set.SearchSet(options)
            for p in patterns:
                lines_set.Add("(?m)" + p)
            lines_set.Add("")
            lines_set.Compile()
        except Exception:  # any doubt: scan text by text, as without the set
            return False
        return lines_set

    def __getitem__(self, index: int) -> Any:
        """The compiled pattern, so a detector's ``patterns`` still reads as its list of patterns."""
        return self.compiled[index]

    def __len__(self) -> int:
        return len(self.compiled)

    def __getstate__(self) -> dict[str, Any]:
        # An RE2 set does not pickle; each worker builds its own on first use.
        return {**self.__dict__, "_set": None, "_lines_set": None}


class RegexDetector:
    def __init__(self, params: RegexParams, bank: PhraseBank) -> None:
        for p in params.patterns:
            err = pattern_error(p)
            if err:
                raise ValueError(err)
        self.match = params.match
        self.patterns = PatternSet(params.patterns, params.ignore_case)

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        evidence = []
        fired = []
        for turn in turns:
            for i in self.patterns.matching(turn.norm):
                m = self.patterns.compiled[i].search(turn.norm)
                if m:
                    fired.append(turn.index)
                    if len(evidence) < 5:
                        evidence.append(evidence_at(turn, m.start(), m.end(), f"pattern /{self.patterns.sources[i]}/"))
        hit = bool(fired) if self.match == "any" else not fired
        return Finding(hit, evidence, turns=tuple(sorted(set(fired))))


def create(params: RegexParams, bank: PhraseBank) -> RegexDetector:
    return RegexDetector(params, bank)
