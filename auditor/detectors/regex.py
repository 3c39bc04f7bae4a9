"""Regular expressions, run by RE2 so that no checklist pattern can hang a batch.

RE2 matches in linear time: a pattern with catastrophic backtracking in
Python's ``re`` is either rejected at validation (back-references,
look-around) or simply runs fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from auditor.detectors.base import Context, Finding, PhraseBank, evidence_at
from auditor.transcripts.model import Turn

MAX_PATTERN_CHARS = 2000


class RegexParams(BaseModel):
    """Pass when ``any`` pattern matches in scope (or, with ``none``, when none does)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["regex"]
    match: Literal["any", "none"] = "any"
    patterns: list[str] = Field(min_length=1, max_length=500)
    ignore_case: bool = True


def pattern_error(pattern: str) -> str | None:
    """Why a pattern cannot be used, with its position where there is one; ``None`` if it is fine."""
    import re

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


def compile_pattern(pattern: str, ignore_case: bool) -> Any:
    import re2

    from auditor.transcripts.normalize import normalize

    options = re2.Options()
    options.case_sensitive = not ignore_case
    options.log_errors = False
    # Patterns see normalised text, so normalise their literal parts the same
    # way (full-width → half-width, Traditional → Simplified).
    return re2.compile(normalize(pattern) if not pattern.isascii() else pattern, options)


class RegexDetector:
    def __init__(self, params: RegexParams, bank: PhraseBank) -> None:
        for p in params.patterns:
            err = pattern_error(p)
            if err:
                raise ValueError(err)
        self.match = params.match
        self.sources = params.patterns
        self.patterns = [compile_pattern(p, params.ignore_case) for p in params.patterns]

    def run(self, turns: Sequence[Turn], ctx: Context) -> Finding:
        evidence = []
        fired = []
        for turn in turns:
            for source, pattern in zip(self.sources, self.patterns):
                m = pattern.search(turn.norm)
                if m:
                    fired.append(turn.index)
                    if len(evidence) < 5:
                        evidence.append(evidence_at(turn, m.start(), m.end(), f"pattern /{source}/"))
        hit = bool(fired) if self.match == "any" else not fired
        return Finding(hit, evidence, turns=tuple(sorted(set(fired))))


def create(params: RegexParams, bank: PhraseBank) -> RegexDetector:
    return RegexDetector(params, bank)
