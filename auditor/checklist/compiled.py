"""A checklist turned into ready-to-run detectors.

Compilation happens once per process (or worker): phrase lists go into one
shared automaton, patterns are compiled, signals are resolved. Calls are then
audited against this object without touching the YAML again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor import detectors
from auditor.checklist.schema import Checklist, Condition, Item, Scope, Signal
from auditor.detectors.base import Detector, PhraseBank


@dataclass(frozen=True)
class CompiledRule:
    """What items and signals have in common: whose turns, which of them, and the detector."""

    speaker: str
    scope: Scope
    detector: Detector
    #: Which turns the rule looks at, as a key: rules with the same one share the selected turns of a call.
    selection: tuple[str, int, int | None, int | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "selection", (self.speaker, self.scope.skip_first, self.scope.first, self.scope.last))


@dataclass(frozen=True)
class CompiledItem(CompiledRule):
    spec: Item
    applies_when: Condition | None


@dataclass(frozen=True)
class CompiledChecklist:
    spec: Checklist
    path: str
    bank: PhraseBank
    items: tuple[CompiledItem, ...]
    signals: dict[str, CompiledRule]

    # What ``audit_call`` reads for every call, worked out here once: a tuple
    # unpacked per item costs less than the attribute look-ups it replaces.

    @cached_property
    def plan(self) -> tuple[tuple[str, CompiledItem, Condition | None, Callable[..., Any]], ...]:
        """Per item, in order: its id, the item, its condition and its detector's ``run``."""
        return tuple((i.spec.id, i, i.applies_when, i.detector.run) for i in self.items)

    @cached_property
    def weights(self) -> tuple[tuple[str, float, bool], ...]:
        """Per item, in order: what scoring reads (see ``scoring.score_items``)."""
        return tuple((i.spec.id, i.spec.weight, i.spec.critical) for i in self.items)

    @cached_property
    def testers(self) -> dict[str, tuple[CompiledRule, Callable[..., bool] | None]]:
        """Per signal: its rule, and its detector's ``fires`` (``None``: work out the finding).

        A condition only asks whether a signal fired, which ``fires`` answers
        with less work (it stops at the first turn, or skips what cannot change
        the answer). A detector that needs the whole finding asks for it
        (``CallContext.signal``) only when its item applies, which for the
        usual trigger is when the condition held: for most calls it does not,
        and ``fires`` alone was asked.
        """
        return {name: (rule, getattr(rule.detector, "fires", None)) for name, rule in self.signals.items()}

    @cached_property
    def item_ids(self) -> list[str]:
        """The item ids in order; one list, shared (the workbook asks for it per call): do not change it."""
        return [i.spec.id for i in self.items]


def compile_checklist(spec: Checklist, path: str | Path = "") -> CompiledChecklist:
    bank = PhraseBank()
    signals = {name: _rule(sig, bank) for name, sig in spec.signals.items()}
    items = tuple(
        CompiledItem(item.speaker, item.scope, detectors.create(item.detector, bank), item, item.applies_when) for item in spec.items
    )
    return CompiledChecklist(spec, str(path), bank, items, signals)


def _rule(sig: Signal, bank: PhraseBank) -> CompiledRule:
    return CompiledRule(sig.speaker, sig.scope, detectors.create(sig.detector, bank))


def load_compiled(path: Path) -> tuple[CompiledChecklist, list]:
    """Load, validate and compile; returns the warnings too. Raises ``ChecklistError``."""
    from auditor.checklist.loading import load_checklist

    spec, warnings = load_checklist(path)
    return compile_checklist(spec, path), warnings
