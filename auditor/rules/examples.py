"""Turning item examples and fixture files into test cases.

A case is one dialogue and the status one item must give it. Inline examples
live under each item's ``examples``; longer fixtures live next to the
checklist in ``tests/<checklist-id>/*.yaml``. Both become the same ``Case``
so that ``auditor rules test`` and pytest run exactly the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditor.checklist.diagnostics import ChecklistError, Diagnostic
from auditor.checklist.schema import Checklist, Status

KNOWN_GAP = "known-gap"
_UNSAFE = re.compile(r"[^\w.-]+")


class Fixture(BaseModel):
    """A fixture file: a transcript in the text format and the status some items must give it."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    description: str = ""
    transcript: str = Field(min_length=1)
    expect: dict[str, Status] = Field(min_length=1)


@dataclass(frozen=True)
class Case:
    """One dialogue, one item, one expected status."""

    id: str  # greeting-pass-1, greeting-fail-rude_opening, greeting-fixture-C3001
    checklist_id: str
    checklist_path: str
    item_id: str
    expected: str
    dialogue: str
    origin: str  # file:line of the example or fixture, for messages
    name: str | None = None
    kind: str = "example"  # or "fixture"

    @property
    def known_gap(self) -> bool:
        """Named ``known-gap…``: documents a detector limitation; reported as an expected failure."""
        return bool(self.name and self.name.startswith(KNOWN_GAP))

    @property
    def full_id(self) -> str:
        return f"{self.checklist_id}/{self.id}"

    def matches(self, patterns: list[str]) -> bool:
        """``-k``: a case is selected when any pattern is a substring (or glob) of its id or item id."""
        if not patterns:
            return True
        names = (self.id.lower(), self.full_id.lower(), self.item_id.lower())
        for pattern in patterns:
            p = pattern.lower()
            if any(c in p for c in "*?["):
                from fnmatch import fnmatchcase

                if any(fnmatchcase(n, p) for n in names):
                    return True
            elif any(p in n for n in names):
                return True
        return False


def slug(name: str) -> str:
    """A name usable in a test id: ``-k`` and JUnit readers choke on spaces and brackets."""
    return _UNSAFE.sub("_", name.strip()).strip("_") or "unnamed"


def example_cases(checklist: Checklist, path: Path, data: Any) -> list[Case]:
    """The inline examples of every item, located in the YAML for messages."""
    from auditor.checklist.loading import locate

    cases = []
    for i, item in enumerate(checklist.items):
        counters: dict[str, int] = {}
        for status, group in (("pass", item.examples.pass_), ("fail", item.examples.fail), ("na", item.examples.na)):
            for j, example in enumerate(group):
                name = None if isinstance(example, str) else example.name
                dialogue = example if isinstance(example, str) else example.dialogue
                counters[status] = counters.get(status, 0) + 1
                suffix = slug(name) if name else str(counters[status])
                line, _, _ = locate(data, ("items", i, "examples", status, j))
                origin = f"{path}:{line}" if line else str(path)
                cases.append(Case(f"{item.id}-{status}-{suffix}", checklist.id, str(path), item.id, status, dialogue, origin, name))
    return cases


def fixtures_dir(checklist: Checklist, path: Path) -> Path:
    return path.parent / "tests" / checklist.id


def fixture_cases(checklist: Checklist, path: Path) -> tuple[list[Case], list[Diagnostic]]:
    """Cases from ``tests/<checklist-id>/*.yaml``, and a diagnostic for every fixture that is broken."""
    from auditor.checklist.loading import dialogue_error, locate, parse_yaml

    known = {item.id for item in checklist.items}
    cases: list[Case] = []
    diags: list[Diagnostic] = []
    folder = fixtures_dir(checklist, path)
    if not folder.is_dir():
        return cases, diags
    for file in sorted(folder.glob("*.y*ml")):
        name = str(file)
        try:
            data = parse_yaml(file)
            fixture = Fixture.model_validate(data)
        except ChecklistError as exc:
            diags += exc.diagnostics
            continue
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                line, col, _ = locate(data, loc)
                msg = f"unknown key {loc[-1]!r}" if err["type"] == "extra_forbidden" else err["msg"]
                diags.append(Diagnostic(name, line, col, ".".join(map(str, loc)), msg))
            continue
        broken = False
        for item_id in fixture.expect:
            if item_id not in known:
                line, col, _ = locate(data, ("expect", item_id))
                diags.append(Diagnostic(name, line, col, f"expect.{item_id}", f"unknown item {item_id!r}; items of {checklist.id}: {', '.join(sorted(known))}"))
                broken = True
        problem = dialogue_error(fixture.transcript)
        if problem:
            line, col, _ = locate(data, ("transcript",))
            diags.append(Diagnostic(name, line, col, "transcript", problem))
            broken = True
        if broken:
            continue
        label = slug(fixture.name or file.stem)
        for item_id, status in fixture.expect.items():
            line, _, _ = locate(data, ("expect", item_id))
            cases.append(Case(f"{item_id}-fixture-{label}", checklist.id, str(path), item_id, status, fixture.transcript,
                              f"{file}:{line}" if line else name, fixture.name, "fixture"))
    return cases, diags


def checklist_files(paths: list[Path]) -> list[Path]:
    """Checklists named on the command line: a file as is, a folder as every ``*.yaml``/``*.yml`` directly in it."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and q.is_file() and not q.name.startswith("."))
        else:
            out.append(p)
    return out
