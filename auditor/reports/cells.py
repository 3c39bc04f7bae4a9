"""Cells that are safe to put transcript text in, for every workbook we write.

A transcript line is data, never a formula: strings are typed as strings and
quote-prefixed when Excel would read them as one, characters Excel rejects
are removed, and over-long text is cut with a marker.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray

EXCEL_MAX_CELL = 32_767
TRUNCATED = "…[truncated]"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # first characters Excel may take as a formula
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")


# What XML 1.0 cannot carry at all: openpyxl's control characters, lone
# surrogates (a file name that is not UTF-8) and the two non-characters.
NOT_XML = re.compile(ILLEGAL_CHARACTERS_RE.pattern + "|[\ud800-\udfff\ufffe\uffff]")


def safe_text(value: str) -> str:
    """``value`` as Excel can hold it: characters XML rejects removed, cut with a marker past Excel's cell limit."""
    text = NOT_XML.sub("", value)
    if len(text) > EXCEL_MAX_CELL:
        text = text[: EXCEL_MAX_CELL - len(TRUNCATED)] + TRUNCATED
    return text


def safe_cell(ws: Any, value: Any, fill: PatternFill | None = None, number_format: str | None = None) -> Cell:
    """A write-only cell; strings are always literal text, whatever they start with."""
    if isinstance(value, str):
        text = safe_text(value)
        c = WriteOnlyCell(ws, value=text)
        c.data_type = "s"
    else:
        c = WriteOnlyCell(ws, value=value)
    if fill is not None or number_format:
        c._style = StyleArray(_style(ws, fill, number_format))
    if isinstance(value, str) and c.value[:1] in FORMULA_START:
        c.quotePrefix = True
    return c


# Assigning ``cell.fill`` hashes the fill and looks it up in the workbook's
# style tables for every cell; status cells made that the writer's largest
# cost. The resulting style indices depend only on (workbook, fill, format),
# so they are computed once per workbook and copied.
_STYLES: "weakref.WeakKeyDictionary[Any, dict[tuple[int, str | None], tuple[Any, StyleArray]]]" = weakref.WeakKeyDictionary()


def _style(ws: Any, fill: PatternFill | None, number_format: str | None) -> StyleArray:
    styles = _STYLES.setdefault(ws.parent, {})
    key = (id(fill), number_format)
    hit = styles.get(key)
    if hit is None or hit[0] is not fill:
        if len(styles) > 256:  # callers that make a new fill per cell must not grow this
            styles.clear()
        c = WriteOnlyCell(ws)
        if fill is not None:
            c.fill = fill
        if number_format:
            c.number_format = number_format
        hit = styles[key] = (fill, c._style or StyleArray())  # holding the fill keeps its id from being reused
    return hit[1]


def header_cell(ws: Any, text: str) -> Cell:
    c = safe_cell(ws, text)
    c.font, c.fill = HEADER_FONT, HEADER_FILL
    c.alignment = Alignment(wrap_text=True, vertical="center")
    return c


class StyleIds:
    """Style ids in one workbook's style table, for rows written as XML (auditor.reports.sheet_xml).

    Calling it registers a format and returns its id; ``quoted`` maps every id
    handed out (and 0, no style) to its quote-prefixed twin, which a string
    that Excel could read as a formula must carry, as ``safe_cell`` does.
    """

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.quoted: dict[int, int] = {}
        if self(None, None) != 0:
            raise AssertionError("the workbook's default style is not style 0")

    def __call__(self, fill: PatternFill | None = None, number_format: str | None = None) -> int:
        sid = self._id(fill, number_format, False)
        self.quoted[sid] = self._id(fill, number_format, True)
        return sid

    def _id(self, fill: PatternFill | None, number_format: str | None, quote: bool) -> int:
        c = WriteOnlyCell(self.ws)
        c._style = StyleArray(_style(self.ws, fill, number_format))
        if quote:
            c.quotePrefix = True
        return c.style_id
