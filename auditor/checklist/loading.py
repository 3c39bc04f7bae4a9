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
from auditor.checklist.schema import Checklist, condition_names

MAX_CHECKLIST_BYTES = 2 * 1024 * 1024


def _loc_str(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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


def parse_yaml(path: Path) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CHECKLIST_BYTES:
            raise ChecklistError([Diagnostic(name, None, None, "", f"checklist is {size} bytes, over the limit of {MAX_CHECKLIST_BYTES}")])
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ChecklistError([Diagnostic(name, None, None, "", f"cannot read checklist: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        raise ChecklistError([Diagnostic(name, None, None, "", f"checklist is not UTF-8: {exc.reason}")]) from None
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ChecklistError([Diagnostic(name, mark.line + 1 if mark else None, mark.column + 1 if mark else None, "", f"YAML syntax: {exc.problem or exc.context}")]) from None
    except YAMLError as exc:
        raise ChecklistError([Diagnostic(name, None, None, "", f"YAML error: {exc}")]) from None
    tagged = _tagged(data)
    if tagged is not None:
        line, col, _ = locate(data, tagged)
        raise ChecklistError([Diagnostic(name, line, col, _loc_str(tagged), "YAML tags (!!python/..., !custom) are not allowed in a checklist")])
    if not isinstance(data, dict):
        raise ChecklistError([Diagnostic(name, 1, 1, "", "a checklist is a mapping with id, name, version and items")])
    return data


def semantic_diagnostics(checklist: Checklist, data: Any, name: str) -> list[Diagnostic]:
    """What the schema cannot see: duplicates, dangling references, unusable patterns, missing examples."""
    from auditor.detectors.regex import pattern_error

    out: list[Diagnostic] = []

    def add(loc: tuple[Any, ...], message: str, severity: str = "error") -> None:
        line, col, _ = locate(data, loc)
        out.append(Diagnostic(name, line, col, _loc_str(loc), message, severity))

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
    specs = [(("items", i, "detector"), it.detector) for i, it in enumerate(checklist.items)]
    specs += [(("signals", n, "detector"), s.detector) for n, s in checklist.signals.items()]
    for loc, det in specs:
        if det.kind == "regex":
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


def load_checklist(path: Path) -> tuple[Checklist, list[Diagnostic]]:
    """The validated checklist and its warnings; ``ChecklistError`` with every error otherwise."""
    name = str(path)
    data = parse_yaml(path)
    try:
        checklist = Checklist.model_validate(data)
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line, col, found = locate(data, loc)
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}"
            diags.append(Diagnostic(name, line, col, _loc_str(found) or _loc_str(loc), message))
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
