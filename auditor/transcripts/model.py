"""The call and turn types every stage after loading works on.

They are plain frozen dataclasses so that a call pickles cheaply into a worker
process and nothing downstream can mutate what a loader produced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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
        return tuple(t for t in self.turns if t.speaker == speaker)


class _TurnFiller:
    """Makes a ``Turn`` about four times faster than its frozen ``__init__``.

    A frozen dataclass stores each field through ``object.__setattr__``, and
    a call has dozens of turns: that was a tenth of loading. This class has
    exactly ``Turn``'s slots, so plain attribute stores fill them, and the
    object then becomes a ``Turn`` by ``__class__`` assignment, which CPython
    allows between classes of identical layout. The result is an ordinary
    ``Turn`` (equal, hashable, frozen, pickled as one); only loaders use this.
    """

    __slots__ = Turn.__slots__

    def __init__(self, index: int, speaker: str, text: str, norm: str, start: float | None, end: float | None, line: int | None) -> None:
        self.index = index
        self.speaker = speaker
        self.text = text
        self.norm = norm
        self.start = start
        self.end = end
        self.line = line
        self.__class__ = Turn  # type: ignore[assignment]


class _CallFiller:
    """``Call``'s counterpart of ``_TurnFiller``: once per call, but nine fields."""

    __slots__ = Call.__slots__

    def __init__(self, call_id: str, turns: tuple[Turn, ...], source: Source, agent_id: str | None, agent_name: str | None,
                 team: str | None, started_at: str | None, content_hash: str) -> None:
        self.call_id = call_id
        self.turns = turns
        self.source = source
        self.agent_id = agent_id
        self.agent_name = agent_name
        self.team = team
        self.started_at = started_at
        self.content_hash = content_hash
        self.__class__ = Call  # type: ignore[assignment]


# Called like the dataclasses, with every field, positionally; no wrapper
# function, since one is made per turn.
new_turn: Callable[[int, str, str, str, float | None, float | None, int | None], Turn] = _TurnFiller  # type: ignore[assignment]
new_call: Callable[[str, tuple[Turn, ...], Source, str | None, str | None, str | None, str | None, str], Call] = _CallFiller  # type: ignore[assignment]

# A field added to Turn or Call but not to its filler would leave a slot
# unset: comparing with the dataclass's own constructor fails at import.
_probe = tuple(range(7))
if new_turn(*_probe) != Turn(*_probe) or new_call(*range(8)) != Call(*range(8)):  # type: ignore[arg-type]
    raise TypeError("model fillers out of step with Turn / Call fields")
del _probe


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
