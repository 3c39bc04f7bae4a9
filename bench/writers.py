"""Workbook writers compared on the same rows: ``python -m bench.writers MODE [ROWS]``.

The decision in docs/performance.md rests on these figures: 100,000 rows of
12 columns shaped like the Calls sheet (ids, a date, a score, four status
cells with a fill), written with openpyxl's write-only mode (lxml installed)
in three ways, with xlsxwriter's constant-memory mode in two, and as the
scorecard writes them now (``rows_xml``: rows serialised as SpreadsheetML and
spliced into openpyxl's package, auditor.reports.sheet_xml).
Modes: openpyxl_cells, openpyxl_plain, openpyxl_allplain, xlsxwriter, xlsxwriter_row, rows_xml.
"""

from __future__ import annotations

import copy
import resource
import sys
import tempfile
import time
from pathlib import Path

MODES = ("openpyxl_cells", "openpyxl_plain", "openpyxl_allplain", "xlsxwriter", "xlsxwriter_row", "rows_xml")
COLOURS = {"pass": "63BE7B", "FAIL": "F8696B", "N/A": "D9D9D9"}


def row(i: int) -> list:
    return [f"B{i:07d}", "A0012", "王芳", "售后一组", "2026-10-05T09:12:00+08:00", 85.5, "", "pass", "FAIL", "pass", "N/A", f"json/000/B{i:07d}.json"]


def write(mode: str, rows: int, target: Path) -> None:
    if mode == "rows_xml":
        from openpyxl import Workbook
        from openpyxl.styles import PatternFill

        from auditor.reports.cells import StyleIds
        from auditor.reports.deflate import write_package
        from auditor.reports.sheet_xml import RowStream

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Calls")
        ws.append([f"column {j}" for j in range(12)])
        ids = StyleIds(ws)
        status = {k: ids(PatternFill("solid", fgColor=c)) for k, c in COLOURS.items()}
        stream = RowStream(target.parent, target.name, ids.quoted)
        for i in range(rows):
            values = row(i)
            stream.append(values, [status.get(v, 0) if isinstance(v, str) else 0 for v in values])
        stream.close()
        package = target.with_suffix(".package")
        wb.save(package)
        write_package(package, {ws.path.lstrip("/"): stream.rows}, target)
        stream.discard()
    elif mode.startswith("openpyxl"):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import PatternFill

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Calls")
        fills = {k: PatternFill("solid", fgColor=c) for k, c in COLOURS.items()}
        styles = {}
        for k, f in fills.items():
            c = WriteOnlyCell(ws, value=k)
            c.fill = f
            styles[k] = c._style
        for i in range(rows):
            values = row(i)
            if mode == "openpyxl_cells":  # a styled cell object per value, fill assigned each time
                out = []
                for v in values:
                    c = WriteOnlyCell(ws, value=v)
                    if isinstance(v, str):
                        c.data_type = "s"
                    if v in fills:
                        c.fill = fills[v]
                    out.append(c)
                values = out
            elif mode == "openpyxl_plain":  # bare values, cached styles for the status cells
                values = [v for v in values]
                for j, v in enumerate(values):
                    if v in styles:
                        c = WriteOnlyCell(ws, value=v)
                        c._style = copy.copy(styles[v])
                        values[j] = c
            ws.append(values)
        wb.save(target)
    else:
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
        ws = wb.add_worksheet("Calls")
        formats = {k: wb.add_format({"bg_color": "#" + c}) for k, c in COLOURS.items()}
        for i in range(rows):
            if mode == "xlsxwriter_row":
                ws.write_row(i, 0, row(i))
                continue
            for j, v in enumerate(row(i)):
                if isinstance(v, str):
                    ws.write_string(i, j, v, formats.get(v))
                else:
                    ws.write_number(i, j, v)
        wb.close()


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if not args or args[0] not in MODES:
        print(__doc__, file=sys.stderr)
        return 2
    rows = int(args[1]) if len(args) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        write(args[0], rows, Path(tmp) / "out.xlsx")
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        size = (Path(tmp) / "out.xlsx").stat().st_size
    print(f"{args[0]}: {rows} rows x 12 in {took:.2f} s (CPU {cpu:.2f} s), {size / 1e6:.1f} MB, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
