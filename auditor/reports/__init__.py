"""Writers: the Excel scorecard, the JSON Lines results, the terminal views."""

from __future__ import annotations

import sys


def import_openpyxl_without_numpy() -> None:
    """Import openpyxl without letting it import numpy, which it does only to accept numpy numbers in cells.

    The writers never put a numpy value in a cell, and numpy (installed for
    spaCy) was ~40 ms of every audit's start-up, a single call's included.
    ``None`` in ``sys.modules`` makes ``import numpy`` fail for the moment
    openpyxl looks (it then leaves numpy types out of its numeric types);
    the entry is removed at once, so anything that imports numpy later gets
    it. Nothing changes when numpy or openpyxl is already imported. Called
    by the commands that write a workbook, before anything imports openpyxl;
    the other writers (results, terminal) never import it.
    """
    if "openpyxl" in sys.modules or "numpy" in sys.modules:
        return
    sys.modules["numpy"] = None  # type: ignore[assignment]
    try:
        import openpyxl  # noqa: F401
    finally:
        if sys.modules.get("numpy", ...) is None:
            del sys.modules["numpy"]

