"""Checklists as data: the YAML schema, loading with line numbers, and compilation."""

from auditor.checklist.compiled import CompiledChecklist, compile_checklist, load_compiled
from auditor.checklist.default import default_checklist_path
from auditor.checklist.diagnostics import ChecklistError, Diagnostic

__all__ = ["ChecklistError", "CompiledChecklist", "Diagnostic", "compile_checklist", "default_checklist_path", "load_compiled"]
