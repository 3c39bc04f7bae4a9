"""Size limits on a checklist, checked on the parsed YAML before the schema sees it.

Checklists come from many authors; a careless or crafted one must not hang
or exhaust the auditor. The file size is capped when reading; this module
caps what YAML can make out of a small file: aliases that expand a few
kilobytes into billions of values ("billion laughs") or into a cycle, phrase
lists too long to compile, and single phrases or texts too long to be one.
Counting stops at the first limit, so even a hostile checklist is rejected
in bounded time.
"""

from __future__ import annotations

from typing import Any

from auditor.checklist.diagnostics import ChecklistError, Diagnostic

MAX_VALUES = 200_000  # every scalar, list and mapping, aliases counted each time they are used
MAX_LIST_ITEMS = 5_000  # entries in any one list (phrases, exclusions, patterns…)
MAX_PHRASE_CHARS = 200  # one entry of a detector's phrase list
MAX_TEXT_CHARS = 20_000  # any other string (descriptions, example dialogues, patterns are checked elsewhere)
_NOT_PHRASES = ("patterns",)  # regexes have their own limit in detectors.regex


class _Budget(Exception):
    pass


def limit_errors(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """``(location, message)`` for every limit ``data`` breaks (stops at the value budget)."""
    errors: list[tuple[tuple[Any, ...], str]] = []
    count = 0

    def walk(node: Any, loc: tuple[Any, ...], in_detector: bool, depth: int) -> None:
        nonlocal count
        count += 1
        if count > MAX_VALUES or depth > 100:
            raise _Budget
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, loc + (key,), in_detector or key == "detector", depth + 1)
        elif isinstance(node, list):
            if len(node) > MAX_LIST_ITEMS:
                errors.append((loc, f"list has {len(node)} entries, over the limit of {MAX_LIST_ITEMS}"))
                return
            phrase_list = in_detector and bool(loc) and loc[-1] not in _NOT_PHRASES
            for i, value in enumerate(node):
                if phrase_list and isinstance(value, str) and len(value) > MAX_PHRASE_CHARS:
                    errors.append((loc + (i,), f"phrase is {len(value)} characters, over the limit of {MAX_PHRASE_CHARS}"))
                    count += 1
                    continue
                walk(value, loc + (i,), in_detector, depth + 1)
        elif isinstance(node, str) and len(node) > MAX_TEXT_CHARS:
            errors.append((loc, f"text is {len(node)} characters, over the limit of {MAX_TEXT_CHARS}"))

    try:
        walk(data, (), False, 0)
    except _Budget:
        errors.append(((), f"the checklist expands to more than {MAX_VALUES} values or 100 levels (YAML aliases used to multiply it?)"))
    return errors


def check_limits(data: Any, name: str) -> None:
    """Raise ``ChecklistError`` listing every limit broken, each located in the file."""
    from auditor.checklist.loading import locate
    from auditor.locations import loc_path

    errors = limit_errors(data)
    if errors:
        diags = []
        for loc, message in errors:
            line, col, _ = locate(data, loc)
            diags.append(Diagnostic(name, line, col, loc_path(loc), message))
        raise ChecklistError(diags)
