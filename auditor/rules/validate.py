"""``rules validate``: every problem in every checklist, located, without running anything.

The checks themselves live with the loader (``auditor.checklist.loading``)
so that ``audit`` refuses exactly what ``validate`` reports; this module only
adds what sits next to a checklist (its fixture files) and compilation.
"""

from __future__ import annotations

from pathlib import Path

from auditor.checklist.diagnostics import ChecklistError, Diagnostic
from auditor.rules.examples import checklist_files, fixture_cases


def validate_file(path: Path) -> list[Diagnostic]:
    from auditor.checklist.compiled import compile_checklist
    from auditor.checklist.loading import load_checklist

    if not path.exists():
        return [Diagnostic(str(path), None, None, "", "no such file or folder")]
    try:
        spec, diags = load_checklist(path)
    except ChecklistError as exc:
        return exc.diagnostics
    try:
        compile_checklist(spec, path)
    except ValueError as exc:  # the loader's checks should make this unreachable; never hide it
        diags = diags + [Diagnostic(str(path), None, None, "", f"checklist does not compile: {exc}")]
    return diags + fixture_cases(spec, path)[1]


def validate_paths(paths: list[Path]) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for p in paths:
        if p.is_dir() and not checklist_files([p]):
            out.append(Diagnostic(str(p), None, None, "", "no checklist (*.yaml) in this folder"))
    for file in checklist_files(paths):
        out += validate_file(file)
    return out
