"""The two big sheets' rows, serialised straight to SpreadsheetML and spliced into openpyxl's package.

Why not let openpyxl write them: a call puts ~30 cells in Calls and Evidence,
and openpyxl's write-only mode builds a cell object and drives lxml for each,
~8 µs a cell: the workbook cost as much as auditing the call. A row here is
one string joined from pieces worked out once (column letters, style ids), so
a cell costs about a microsecond. openpyxl still writes everything else (the
header rows, column widths, frozen panes, filters, styles, the summary sheets
and chart, the package); ``auditor.reports.deflate.write_package`` copies its
zip once and puts the streamed rows into the sheets they belong to.

The rows are deflated as they stream, in a background thread, to a temporary
file next to the output (``auditor.reports.deflate``), named like
``AtomicPath``'s temporaries so a killed run's leftovers are swept by the next
run. Every string goes through ``safe_text`` (characters Excel rejects,
over-long cells) and is written as an inline string, never a formula.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor.reports.cells import EXCEL_MAX_CELL, FORMULA_START as _FORMULA_START, NOT_XML, safe_text
from auditor.reports.deflate import BackgroundDeflate, DeflatedRows, temp_rows_file

_COLUMNS = [chr(65 + i) for i in range(26)] + [chr(65 + i) + chr(65 + j) for i in range(26) for j in range(26)]
# What XML text cannot hold as it is; checked once per string so that most strings skip escaping.
_NEEDS_ESCAPE = re.compile(r"[&<>\r]")
# Anything a string may need done to it: characters to remove (see safe_text) or to escape.
_SPECIAL = re.compile(NOT_XML.pattern + r"|[&<>\r]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def xml_text(text: str) -> str:
    """``text`` as XML character data: markup characters escaped, a carriage return kept as a reference."""
    return text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text) else text


def number_text(value: float) -> str:
    """Numbers as openpyxl writes them (``%.16g``), so a value reads back the same whichever writer wrote it."""
    if type(value) is int:
        return str(value) if -(10**16) < value < 10**16 else "%.16g" % value
    return "%.16g" % value if math.isfinite(value) else ""


class _StyleAttr(dict):
    """``s="N"`` for style id N, and nothing for 0 (no style), made once per id."""

    def __missing__(self, sid: int) -> str:
        attr = self[sid] = f' s="{sid}"' if sid else ""
        return attr


_STYLE = _StyleAttr()

# Short strings recur row after row (statuses, agents, teams, item ids, speakers):
# their cells are made once and looked up, long ones (texts) each time. The cache
# is cut back when full, so a run of unique short ids cannot grow it.
_CACHED_CHARS = 24
_CACHED_PER_STYLE = 4096


class RowStream:
    """``<row>`` elements for one sheet, appended to a temporary file as they come.

    ``append`` takes the row's values and, per column, a style id from the
    workbook's style table (0 = no style). A string Excel could read as a
    formula gets the style's quote-prefixed twin (``quoted``), as openpyxl's
    cells do in ``safe_cell``.
    """

    def __init__(self, folder: Path, stem: str, quoted: dict[int, int], redact: Any = None, first_row: int = 2,
                 worker: BackgroundDeflate | None = None) -> None:
        fh, path = temp_rows_file(folder, stem)
        self.rows = DeflatedRows(fh, path, worker or BackgroundDeflate())
        self.quoted = quoted
        self.redact = redact
        self.next_row = first_row
        self._tails: dict[int, dict[str, str]] = {}  # per style id: short string -> its cell after the reference

    def append(self, values: Sequence[Any], styles: Sequence[int]) -> None:
        r = str(self.next_row)
        parts = [f'<row r="{r}">']
        add = parts.append
        tails = self._tails
        for col, value, sid in zip(_COLUMNS, values, styles):
            if value is None:
                if sid:
                    add(f'<c r="{col}{r}" s="{sid}"/>')
                continue
            if isinstance(value, str):
                if self.redact is not None:
                    value = self.redact(value)
                known = tails.get(sid)
                if known is None:
                    known = tails[sid] = {}
                tail = known.get(value)
                if tail is None:
                    tail = self._string_tail(value, sid)
                    if len(value) <= _CACHED_CHARS:
                        if len(known) >= _CACHED_PER_STYLE:
                            known.clear()
                        known[value] = tail
                add(f'<c r="{col}{r}"{tail}')
            elif isinstance(value, bool):
                add(f'<c r="{col}{r}"{_STYLE[sid]} t="b"><v>{int(value)}</v></c>')
            else:
                add(f'<c r="{col}{r}"{_STYLE[sid]} t="n"><v>{number_text(value)}</v></c>')
        add("</row>")
        self.rows.add("".join(parts).encode("utf-8", "replace"))
        self.next_row += 1

    def _string_tail(self, value: str, sid: int) -> str:
        """A string cell after its reference: style, type and the text made safe (``safe_text``) and escaped."""
        if _SPECIAL.search(value) is None and len(value) <= EXCEL_MAX_CELL:
            clean = text = value  # nearly every string: nothing to remove, cut or escape
        else:
            clean = safe_text(value)
            text = xml_text(clean)
        if not clean:
            return f'{_STYLE[sid]} t="inlineStr"/>'
        if clean[0] in _FORMULA_START:  # Excel would take it as a formula: quote-prefix it
            sid = self.quoted[sid]
        space = ' xml:space="preserve"' if clean[0].isspace() or clean[-1].isspace() else ""
        return f'{_STYLE[sid]} t="inlineStr"><is><t{space}>{text}</t></is></c>'

    def close(self) -> None:
        """Every row is in: wait for the last of them to be compressed."""
        self.rows.finish()

    def discard(self) -> None:
        self.rows.discard()
