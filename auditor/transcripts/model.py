"""The call and turn types every stage after loading works on.

They are plain frozen dataclasses (turns: a named tuple) so that a call
pickles cheaply into a worker process and nothing downstream can mutate what
a loader produced.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import NamedTuple

from auditor.compact import fast_constructor

AGENT = "agent"
CUSTOMER = "customer"
OTHER = "other"

UNKNOWN_AGENT = "(unknown)"


class Turn(NamedTuple):
    """One utterance. ``text`` is what the transcript said; ``norm`` is only for matching.

    A named tuple, not a frozen dataclass like the types below: loaders build
    dozens of turns a call, and tuples of a call's turns are made in one C-level
    pass over its columns (``turns_from_columns``): 5.5 µs a call against 7.6
    for the dataclass even with its fast constructor. Immutable all the same;
    change one with ``turn._replace(text=...)``.
    """

    index: int
    speaker: str
    text: str
    norm: str
    start: float | None = None
    end: float | None = None
    line: int | None = None


_new_tuple = tuple.__new__


def turns_from_columns(
    speakers: Sequence[str], texts: Sequence[str], norms: Sequence[str],
    starts: Sequence[float | None], ends: Sequence[float | None], lines: Sequence[int | None],
) -> tuple[Turn, ...]:
    """The call's turns from its columns, numbered from 0, built without a Python call per turn."""
    return tuple(map(_new_tuple, repeat(Turn), zip(range(len(texts)), speakers, texts, norms, starts, ends, lines)))


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
_CallFiller = fast_constructor(Call, __name__, "_CallFiller")
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
