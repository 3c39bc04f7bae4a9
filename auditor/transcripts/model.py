"""The call and turn types every stage after loading works on.

They are plain frozen dataclasses so that a call pickles cheaply into a worker
process and nothing downstream can mutate what a loader produced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from auditor.compact import fast_constructor

AGENT = "agent"
CUSTOMER = "customer"
OTHER = "other"

UNKNOWN_AGENT = "(unknown)"


@dataclass(frozen=True, slots=True)
class Turn:
    """One utterance. ``text`` is what the transcript said; ``norm`` is only for matching."""

    index: int
    speaker: str
    text: str
    norm: str
    start: float | None = None
    end: float | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Source:
    """Where a call came from, so every message and result can point back at it."""

    path: str
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Call:
    call_id: str
    turns: tuple[Turn, ...]
    source: Source
    agent_id: str | None = None
    agent_name: str | None = None
    team: str | None = None
    started_at: str | None = None
    content_hash: str = ""

    def by(self, speaker: str) -> tuple[Turn, ...]:
        return tuple([t for t in self.turns if t.speaker == speaker])  # a list is built faster than a generator runs


# Called like the dataclasses, with every field, positionally, but about four
# times faster (see auditor.compact.fast_constructor); only loaders use them.
_TurnFiller = fast_constructor(Turn, __name__, "_TurnFiller")
_CallFiller = fast_constructor(Call, __name__, "_CallFiller")
new_turn: Callable[[int, str, str, str, float | None, float | None, int | None], Turn] = _TurnFiller  # type: ignore[assignment]
new_call: Callable[[str, tuple[Turn, ...], Source, str | None, str | None, str | None, str | None, str], Call] = _CallFiller  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Problem:
    """An input (or part of one) that could not be audited, and why."""

    path: str
    reason: str
    line: int | None = None
    kind: str = "error"  # "error": skipped; "warning": audited but suspicious

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(slots=True)
class CallMeta:
    """Metadata that may come from the transcript itself or from a manifest."""

    call_id: str | None = None
    agent_id: str | None = None
    agent_name: str | None = None
    team: str | None = None
    started_at: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
