"""The Excel scorecard a manager opens: Summary, Agents, Calls, Evidence, Problems.

Calls and Evidence stream to disk as calls are audited, and the Agents
rows at the end, as SpreadsheetML rows (see auditor.reports.sheet_xml);
openpyxl's write-only mode writes their frames, Summary and Problems, and
the package they are spliced into. Every transcript string is written as a
literal string (never a formula), characters Excel rejects are removed,
over-long cells are cut with a marker, and a sheet that reaches Excel's row
limit continues on another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from auditor.checklist.compiled import CompiledChecklist
from auditor.engine import CallResult
from auditor.reports.atomic import AtomicPath
from auditor.reports.cells import EXCEL_MAX_CELL, TRUNCATED, StyleIds, header_cell, safe_cell, safe_text  # noqa: F401 (re-exported)
from auditor.reports.deflate import BackgroundDeflate, write_package
from auditor.reports.sheet_xml import RowStream
from auditor.reports.wording import no_evidence_reason
from auditor.scoring import UNKNOWN_AGENT, Scoreboard
from auditor.transcripts.model import Problem

EXCEL_MAX_ROWS = 1_048_576
STATUS_LABEL = {"pass": "pass", "fail": "FAIL", "na": "N/A"}
RED, GREEN, GREY, AMBER = "F8696B", "63BE7B", "D9D9D9", "FFEB84"


def printable(ws: Any) -> Any:
    """Landscape, one page wide: managers print the scorecard for review meetings."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    return ws


class RollingSheet:
    """A streamed sheet that continues on "Name (2)", "Name (3)"… at Excel's row limit.

    openpyxl writes each sheet's frame (header row, widths, frozen pane); the
    rows stream through ``Scorecard.rows_for``.
    """

    def __init__(self, book: "Scorecard", title: str, headers: Sequence[str], widths: Sequence[float], max_rows: int = EXCEL_MAX_ROWS) -> None:
        self.book, self.title, self.headers, self.widths, self.max_rows = book, title, list(headers), list(widths), max_rows
        self.sheets: list[tuple[Any, RowStream]] = []
        self.unstyled = [0] * len(self.headers)
        self._new_sheet()

    def _new_sheet(self) -> None:
        n = len(self.sheets) + 1
        ws = printable(self.book.wb.create_sheet(self.title if n == 1 else f"{self.title} ({n})"))
        ws.freeze_panes = "A2"
        for i, w in enumerate(self.widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.append([self.book.header_cell(ws, h) for h in self.headers])
        self.sheets.append((ws, self.book.rows_for(ws, len(self.headers))))

    @property
    def rows(self) -> int:
        """Rows on the current sheet, the header included."""
        return self.sheets[-1][1].next_row - 1

    def append(self, values: Sequence[Any], styles: Sequence[int] | None = None) -> None:
        """One row; ``styles`` holds a style id per column (``Scorecard.styles``), none by default."""
        if self.rows >= self.max_rows:
            self._new_sheet()
        self.sheets[-1][1].append(values, styles or self.unstyled)


class Scorecard:
    """Streams a workbook to temporary files; ``close`` writes the summary sheets and renames it into place."""

    def __init__(self, target: Path, checklist: CompiledChecklist, evidence: str = "failures", max_rows: int = EXCEL_MAX_ROWS, redact=None) -> None:
        self.target = target
        self.checklist = checklist
        self.specs = {item.spec.id: item.spec for item in checklist.items}
        self.evidence_mode = evidence
        self.redact = redact
        self.wb = Workbook(write_only=True)
        self.summary_ws = printable(self.wb.create_sheet("Summary"))
        self.agents_ws = printable(self.wb.create_sheet("Agents"))
        self.styles = StyleIds(self.summary_ws)
        self.row_streams: list[tuple[Any, RowStream, int]] = []  # (sheet, its streamed rows, columns), see rows_for
        self.deflate = BackgroundDeflate()  # one thread compresses every sheet's rows as they stream
        fills = {s: PatternFill("solid", fgColor=c) for s, c in (("pass", GREEN), ("fail", RED), ("na", GREY))}
        self.status_style = {s: self.styles(fill) for s, fill in fills.items()}
        self.one_decimal = self.styles(number_format="0.0")
        self.percent = self.styles(number_format="0.0%")
        items = checklist.item_ids
        self.calls = RollingSheet(
            self,
            "Calls",
            ["Call ID", "Agent ID", "Agent", "Team", "Date", "Score", "Critical failure", *items, "De-escalated", "Turns to empathy", "Seconds to empathy", "Source"],
            [18, 10, 10, 12, 20, 8, 14, *[max(10, len(i) + 2) for i in items], 12, 10, 10, 40],
            max_rows,
        )
        self.evidence = RollingSheet(
            self,
            "Evidence",
            ["Call ID", "Agent ID", "Item", "Status", "Turn", "Speaker", "Turn text", "Matched", "Why", "Start (s)"],
            [18, 10, 22, 8, 6, 10, 70, 18, 50, 9],
            max_rows,
        )
        self.problems_ws = printable(self.wb.create_sheet("Problems"))

    # -- cells -------------------------------------------------------------
    def cell(self, ws: Any, value: Any, fill: PatternFill | None = None, number_format: str | None = None) -> Cell:
        if isinstance(value, str) and self.redact:
            value = self.redact(value)
        return safe_cell(ws, value, fill, number_format)

    def header_cell(self, ws: Any, text: str) -> Cell:
        return header_cell(ws, text)

    # -- streaming ---------------------------------------------------------
    def add_call(self, r: CallResult) -> None:
        items = r.items
        empathy: dict[str, Any] = {}
        for res in items.values():  # the item that measured de-escalation, if any applied
            if "de_escalated" in res.metrics:
                empathy = res.metrics
                break
        statuses = [items[item_id].status for item_id in self.checklist.item_ids]
        de = empathy.get("de_escalated")
        agent = r.agent_id or UNKNOWN_AGENT
        self.calls.append(
            [r.call_id, agent, r.agent_name or "", r.team or "", r.started_at or "", r.score, ", ".join(r.critical_failed),
             *map(STATUS_LABEL.__getitem__, statuses),
             "" if de is None else ("yes" if de else "no"), empathy.get("time_to_empathy_turns"), empathy.get("time_to_empathy_seconds"),
             r.source_path + (f":{r.source_line}" if r.source_line else "")],
            [0, 0, 0, 0, 0, self.one_decimal, self.status_style["fail"] if r.critical_failed else 0,
             *map(self.status_style.__getitem__, statuses), 0, 0, self.one_decimal, 0],
        )
        failures_only = self.evidence_mode == "failures"
        for item_id, res in items.items():
            status = res.status
            if status == "na" or (failures_only and status != "fail"):
                continue
            label = STATUS_LABEL[status]
            if not res.evidence:
                self.evidence.append([r.call_id, agent, item_id, label, None, "", "", "", no_evidence_reason(self.specs[item_id], res.metrics), None])
            for ev in res.evidence:
                self.evidence.append([r.call_id, agent, item_id, label, ev.turn + 1, ev.speaker, ev.text, ev.match, ev.note, ev.start])

    # -- closing -----------------------------------------------------------
    def close(self, board: Scoreboard, problems: list[Problem], run: dict[str, Any]) -> None:
        atomic = AtomicPath(self.target)
        try:
            self._write_summary(board, problems, run)
            self._write_agents(board)
            self._write_problems(problems)
            for ws, stream, columns in self.row_streams:
                stream.close()
                ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(stream.next_row - 1, 1)}"
            package = AtomicPath(self.target)  # openpyxl's package, before the rows go in
            try:
                self.wb.save(package.temp)
                write_package(package.temp, {ws.path.lstrip("/"): stream.rows for ws, stream, _ in self.row_streams}, atomic.temp)
            finally:
                package.discard()
            atomic.commit()
        except BaseException:
            atomic.discard()
            self._end_unsaved_sheets()
            raise
        finally:
            self._discard_rows()

    def _write_summary(self, board: Scoreboard, problems: list[Problem], run: dict[str, Any]) -> None:
        ws = self.summary_ws
        ws.column_dimensions["A"].width = 26
        ws.column_dimensions["B"].width = 36
        for col, w in zip("CDEFGH", (12, 10, 10, 12, 12, 12)):
            ws.column_dimensions[col].width = w
        spec = self.checklist.spec
        s = board.summary()
        bold = Font(bold=True)
        title = self.cell(ws, "Call audit scorecard")
        title.font = Font(bold=True, size=14)
        ws.append([title])
        rows = [
            ("Run date", run.get("finished_at") or dt.datetime.now().isoformat(timespec="seconds")),
            ("Checklist", f"{spec.name} ({spec.id} v{spec.version})"),
            ("Inputs", ", ".join(run.get("inputs", []))),
            ("Calls audited", s["calls"]),
            ("Agents", s["agents"]),
            ("Calls with no agent id", s["unknown_agent_calls"]),
            ("Mean call score", s["mean_score"]),
            ("Calls with a critical failure", s["critical_calls"]),
            (f"Calls below {board.threshold:g}", s["below_threshold"]),
            ("Inputs skipped", sum(1 for p in problems if p.kind == "error")),
            ("Warnings", sum(1 for p in problems if p.kind == "warning")),
        ]
        for label, value in rows:
            lab = self.cell(ws, label)
            lab.font = bold
            ws.append([lab, self.cell(ws, value, number_format="0.0" if label == "Mean call score" else None)])
        ws.append([])
        header_row = len(rows) + 3
        ws.append([self.header_cell(ws, h) for h in ("Item", "Title", "Category", "Weight", "Critical", "Applicable", "Passed", "Pass rate")])
        for item in spec.items:
            t = board.total.items.get(item.id)
            rate = t.rate if t else None
            ws.append([
                self.cell(ws, item.id), self.cell(ws, item.title), self.cell(ws, item.category), self.cell(ws, item.weight),
                self.cell(ws, "yes" if item.critical else ""), self.cell(ws, t.applicable if t else 0), self.cell(ws, t.passed if t else 0),
                self.cell(ws, rate, number_format="0.0%"),
            ])
        first, last = header_row + 1, header_row + len(spec.items)
        ws.conditional_formatting.add(f"H{first}:H{last}", _scale())
        chart = BarChart()
        chart.type = "bar"
        chart.title = "Pass rate per item"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.legend = None
        chart.add_data(Reference(ws, min_col=8, min_row=header_row, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.height, chart.width = 9, 18
        ws.add_chart(chart, f"A{last + 3}")

    def _write_agents(self, board: Scoreboard) -> None:
        ws = self.agents_ws
        ws.freeze_panes = "D2"
        spec = self.checklist.spec
        headers = ["Rank (worst first)", "Agent ID", "Agent", "Team", "Calls", "Mean score", "Median score", "Lowest score",
                   "Critical failures", f"Calls below {board.threshold:g}", *[f"{i.id} pass rate" for i in spec.items],
                   "De-escalation rate", "Mean turns to empathy", "Mean seconds to empathy"]
        widths = [10, 10, 10, 12, 7, 10, 10, 10, 10, 10, *[12] * len(spec.items), 12, 12, 12]
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.append([self.header_cell(ws, h) for h in headers])
        empathy_item = next((i.id for i in spec.items if i.detector.kind == "empathy"), None)
        ranked = board.ranked_agents()
        rows = self.rows_for(ws, len(headers))  # a contact centre has thousands of agents: streamed like the big sheets
        one, pct = self.one_decimal, self.percent
        styles = [0, 0, 0, 0, 0, one, one, one, 0, 0, *[pct] * len(spec.items), pct, one, one]
        for rank, (agent_id, t) in enumerate(ranked, 1):
            row = [rank, agent_id, t.name or "", t.team or "", t.calls, t.mean, t.median, t.lowest, t.critical_calls, t.below_threshold]
            for item in spec.items:
                tally = t.items.get(item.id)
                row.append(tally.rate if tally else None)
            if empathy_item:
                row += [t.metric(empathy_item, "de_escalated"), t.metric(empathy_item, "time_to_empathy_turns"),
                        t.metric(empathy_item, "time_to_empathy_seconds")]
            rows.append(row, styles)
        last = len(ranked) + 1
        if ranked:
            first_rate, last_rate = 11, 10 + len(spec.items) + 1
            ws.conditional_formatting.add(f"{get_column_letter(first_rate)}2:{get_column_letter(last_rate)}{last}", _scale())
            ws.conditional_formatting.add(f"F2:F{last}", _scale(0, board.threshold, 100))
            ws.conditional_formatting.add(f"I2:I{last}", CellIsRule(operator="greaterThan", formula=["0"], fill=PatternFill("solid", fgColor=RED)))

    def _write_problems(self, problems: list[Problem]) -> None:
        ws = self.problems_ws
        ws.freeze_panes = "A2"
        for col, w in zip("ABCD", (50, 8, 10, 90)):
            ws.column_dimensions[col].width = w
        ws.append([self.header_cell(ws, h) for h in ("File", "Line", "Severity", "Reason")])
        for p in problems:
            ws.append([self.cell(ws, p.path), self.cell(ws, p.line), self.cell(ws, p.kind), self.cell(ws, p.reason)])
        if not problems:
            ws.append([self.cell(ws, "(no problems: every input was read)")])
        ws.auto_filter.ref = f"A1:D{len(problems) + 1}"

    def abort(self) -> None:
        """The workbook only reaches its target in ``close``; the streamed rows are removed."""
        self._discard_rows()
        self._end_unsaved_sheets()

    def _end_unsaved_sheets(self) -> None:
        """Finish openpyxl's write-only sheets that will not be saved.

        Each holds a writer suspended inside its XML; collected like that, the
        writer raised from lxml as it was torn down ("Exception ignored …
        LxmlSyntaxError" on stderr). Finished here, it ends quietly.
        """
        for ws in self.wb.worksheets:
            if not ws.closed:
                try:
                    ws.close()
                except Exception:  # noqa: BLE001 (a sheet that cannot be finished is being thrown away anyway)
                    pass

    def rows_for(self, ws: Any, columns: int) -> RowStream:
        """Rows for ``ws`` after its header, streamed as SpreadsheetML (auditor.reports.sheet_xml).

        On ``close`` they are spliced into the sheet openpyxl wrote, and the
        sheet's filter is set to cover them.
        """
        stream = RowStream(self.target.parent, self.target.name, self.styles.quoted, self.redact, worker=self.deflate)
        self.row_streams.append((ws, stream, columns))
        return stream

    def _discard_rows(self) -> None:
        self.deflate.shutdown()
        for _, stream, _ in self.row_streams:
            stream.discard()


def _scale(low: float = 0, mid: float = 0.8, high: float = 1) -> ColorScaleRule:
    """Red at ``low``, amber at ``mid`` (the usual QA pass mark), green at ``high``."""
    return ColorScaleRule(start_type="num", start_value=low, start_color=RED, mid_type="num", mid_value=mid, mid_color=AMBER,
                          end_type="num", end_value=high, end_color=GREEN)
