"""Reading a checklist YAML file: safe parsing, schema validation, semantic checks.

ruamel.yaml keeps the line and column of every key, so a pydantic error
location such as ``items[3].detector.phrases`` becomes ``file.yaml:41:7``.
Its round-trip loader never constructs Python objects; we additionally refuse
any explicit tag, so a checklist cannot smuggle one in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from auditor.checklist.diagnostics import ChecklistError, Diagnostic
from auditor.checklist.schema import Checklist, Item, condition_names
from auditor.locations import loc_path

MAX_CHECKLIST_BYTES = 2 * 1024 * 1024


def locate(data: Any, loc: tuple[Any, ...]) -> tuple[int | None, int | None, tuple[Any, ...]]:
    """The 1-based line and column of ``loc`` in the parsed YAML, and the part of ``loc`` that exists."""
    node = data
    line = col = None
    found: list[Any] = []
    for key in loc:
        lc = getattr(node, "lc", None)
        if isinstance(node, dict) and key in node:
            if lc is not None:
                line, col = lc.key(key)
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            if lc is not None:
                line, col = lc.item(key)
            node = node[key]
        else:
            continue  # pydantic adds union tags such as 'phrases' that are not in the file
        found.append(key)
    return (line + 1 if line is not None else None), (col + 1 if col is not None else None), tuple(found)


def _tagged(node: Any, path: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag)
    if isinstance(value, str) and value:
        return path
    if isinstance(node, dict):
        for k, v in node.items():
            found = _tagged(v, path + (k,))
            if found is not None:
                return found
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found = _tagged(v, path + (i,))
            if found is not None:
                return found
    return None


def read_checklist_bytes(path: Path) -> bytes:
    """The file's bytes, refused with a diagnostic when it cannot be read or is over the size limit."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size <= MAX_CHECKLIST_BYTES:
            with path.open("rb") as fh:
                data = fh.read(MAX_CHECKLIST_BYTES + 1)  # no more, whatever the file claims (a pipe, a growing file)
            if len(data) <= MAX_CHECKLIST_BYTES:
                return data
            size = len(data)
        raise ChecklistError([Diagnostic(name, None, None, "", f"checklist is {size} bytes, over the limit of {MAX_CHECKLIST_BYTES}")])
    except OSError as exc:
        raise ChecklistError([Diagnostic(name, None, None, "", f"cannot read checklist: {exc.strerror or exc}")]) from None


def parse_yaml(path: Path, data: bytes | None = None) -> Any:
    """The checklist file parsed with line numbers kept; ``data`` is its bytes when they were read already."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    name = str(path)
    try:
        text = (read_checklist_bytes(path) if data is None else data).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChecklistError([Diagnostic(name, None, None, "", f"checklist is not UTF-8: {exc.reason}")]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as reading in text mode would
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ChecklistError([Diagnostic(name, mark.line + 1 if mark else None, mark.column + 1 if mark else None, "", f"YAML syntax: {exc.problem or exc.context}")]) from None
    except YAMLError as exc:
        raise ChecklistError([Diagnostic(name, None, None, "", f"YAML error: {exc}")]) from None
    from auditor.checklist.limits import check_limits

    check_limits(data, name)  # first: the walks below would follow an alias bomb forever
    tagged = _tagged(data)
    if tagged is not None:
        line, col, _ = locate(data, tagged)
        raise ChecklistError([Diagnostic(name, line, col, loc_path(tagged), "YAML tags (!!python/..., !custom) are not allowed in a checklist")])
    if not isinstance(data, dict):
        raise ChecklistError([Diagnostic(name, 1, 1, "", "a checklist is a mapping with id, name, version and items")])
    return data


def semantic_diagnostics(checklist: Checklist, data: Any, name: str) -> list[Diagnostic]:
    """What the schema cannot see: duplicates, dangling references, unusable patterns, missing examples."""
    from auditor.detectors.regex import pattern_error

    out: list[Diagnostic] = []

    def add(loc: tuple[Any, ...], message: str, severity: str = "error") -> None:
        line, col, _ = locate(data, loc)
        out.append(Diagnostic(name, line, col, loc_path(loc), message, severity))

    seen: dict[str, int] = {}
    signals = set(checklist.signals)
    for i, item in enumerate(checklist.items):
        if item.id in seen:
            add(("items", i, "id"), f"duplicate item id {item.id!r} (first at items[{seen[item.id]}])")
        seen.setdefault(item.id, i)
        for ref in condition_names(item.applies_when):
            if ref not in signals:
                add(("items", i, "applies_when"), f"unknown signal {ref!r}; known: {', '.join(sorted(signals)) or '(none defined)'}")
        if not (item.examples.pass_ or item.examples.fail or item.examples.na):
            add(("items", i), f"item {item.id!r} has no examples", "warning")
        for loc, message in example_problems(item):
            add(("items", i, "examples") + loc, message)
    specs = [(("items", i, "detector"), it.detector) for i, it in enumerate(checklist.items)]
    specs += [(("signals", n, "detector"), s.detector) for n, s in checklist.signals.items()]
    for loc, det in specs:
        for key, j in empty_phrases(det):
            add(loc + (key, j), "phrase is empty after normalisation (only spaces or invisible characters)")
        if hasattr(det, "patterns"):
            for j, pattern in enumerate(det.patterns):
                err = pattern_error(pattern)
                if err:
                    add(loc + ("patterns", j), err)
        trigger = getattr(det, "trigger", None)
        if trigger is not None and trigger not in signals:
            add(loc + ("trigger",), f"unknown signal {trigger!r}; known: {', '.join(sorted(signals)) or '(none defined)'}")
        elif trigger is not None and loc[0] == "signals" and trigger == loc[1]:
            add(loc + ("trigger",), "a signal cannot trigger on itself")
    return out


def dialogue_error(text: str) -> str | None:
    """Why a dialogue in the text transcript format (an example, a fixture) cannot be read; ``None`` if it can."""
    from auditor.transcripts.building import LoadLimits
    from auditor.transcripts.errors import InputError
    from auditor.transcripts.formats.text_format import parse_text
    from auditor.transcripts.model import Source

    try:
        parse_text(text, Source("dialogue"), LoadLimits(), call_id="dialogue")
    except InputError as exc:
        return f"dialogue cannot be read: {exc.reason}" + (f" (its line {exc.line})" if exc.line else "")
    return None


def example_problems(item: Item) -> list[tuple[tuple[Any, ...], str]]:
    """Examples that can never be checked: unreadable dialogues, impossible N/A, clashing names."""
    out: list[tuple[tuple[Any, ...], str]] = []
    names: set[str] = set()
    for status, group in (("pass", item.examples.pass_), ("fail", item.examples.fail), ("na", item.examples.na)):
        for j, example in enumerate(group):
            dialogue = example if isinstance(example, str) else example.dialogue
            name = None if isinstance(example, str) else example.name
            if name is not None:
                if name in names:
                    out.append(((status, j, "name"), f"duplicate example name {name!r} in item {item.id!r}"))
                names.add(name)
            if status == "na" and item.applies_when is None:
                out.append(((status, j), f"an 'na' example needs 'applies_when' on the item: {item.id!r} is never N/A"))
            problem = dialogue_error(dialogue)
            if problem:
                out.append(((status, j), problem))
    return out


def empty_phrases(det: Any) -> list[tuple[str, int]]:
    """Phrase-list entries that normalise to nothing and would break the phrase bank at compile time."""
    from auditor.transcripts.normalize import normalize

    out = []
    for key, value in det:
        if key in ("patterns", "ignore") or not isinstance(value, list):
            continue
        out += [(key, j) for j, p in enumerate(value) if isinstance(p, str) and not normalize(p)]
    return out


def _without_union_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the detector-kind tag pydantic puts in a location (``detector.phrases.bogus``): it names no YAML key."""
    from auditor.detectors import MODULES

    return tuple(part for i, part in enumerate(loc) if not (i and loc[i - 1] == "detector" and part in MODULES))


def _message(err: dict[str, Any], loc: tuple[Any, ...]) -> str:
    if err["type"] == "extra_forbidden":
        return f"unknown key {loc[-1]!r}"
    if err["type"] == "missing":
        return f"missing required key {loc[-1]!r}"
    if err["type"] == "union_tag_invalid":
        from auditor.detectors import MODULES

        return f"unknown detector kind {err['ctx'].get('tag')!r}; known: {', '.join(MODULES)}"
    if err["type"] == "union_tag_not_found":
        from auditor.detectors import MODULES

        return f"a detector needs 'kind': one of {', '.join(MODULES)}"
    return err["msg"]


def load_checklist(path: Path) -> tuple[Checklist, list[Diagnostic]]:
    """The validated checklist and its warnings; ``ChecklistError`` with every error otherwise.

    A file read before, byte for byte, by the same code comes from the cache
    (``auditor.checklist.cache``) instead of being parsed and checked again.
    """
    from auditor.checklist import cache

    name = str(path)
    raw = read_checklist_bytes(path)
    entry = cache.key(raw)
    kept = cache.read(entry, name)
    if kept is not None:
        return kept
    checklist, diags = _read_checklist(path, raw)
    cache.write(entry, checklist, diags)
    return checklist, diags


def _read_checklist(path: Path, raw: bytes) -> tuple[Checklist, list[Diagnostic]]:
    """Parse, validate and check the checklist whose bytes are ``raw``."""
    name = str(path)
    data = parse_yaml(path, raw)
    try:
        checklist = Checklist.model_validate(data)
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            loc = _without_union_tags(tuple(err["loc"]))
            if err["type"] == "union_tag_invalid":
                loc += ("kind",)
            line, col, found = locate(data, loc)
            message = _message(err, loc)
            key = loc_path(loc) if err["type"] == "missing" else (loc_path(found) or loc_path(loc))
            diags.append(Diagnostic(name, line, col, key, message))
        raise ChecklistError(_dedupe(diags)) from None
    diags = semantic_diagnostics(checklist, data, name)
    errors = [d for d in diags if d.severity == "error"]
    if errors:
        raise ChecklistError(diags)
    return checklist, diags


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in diags:
        key = (d.line, d.column, d.key, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out
