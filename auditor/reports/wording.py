"""Words shared by the workbook and the terminal, so a manager and a QA lead read the same reason."""

from __future__ import annotations

from typing import Any

from auditor.checklist.schema import Item


def no_evidence_reason(item: Item, metrics: dict[str, Any]) -> str:
    """Why an item failed with nothing to quote: the detector's own note, else what was searched and where."""
    return str(metrics.get("note") or f"no matching phrase in {item.scope.describe()} of the {item.speaker}")
