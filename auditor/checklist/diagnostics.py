"""Checklist problems, located in the YAML file the way a linter locates them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Diagnostic:
    path: str
    line: int | None
    column: int | None
    key: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = self.path
        if self.line:
            where += f":{self.line}" + (f":{self.column}" if self.column else "")
        key = f" {self.key}:" if self.key else ""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}:{key} {prefix}{self.message}"

    def github(self) -> str:
        """A GitHub Actions workflow command that annotates the file in a pull request."""
        kind = "error" if self.severity == "error" else "warning"
        loc = f"file={self.path}"
        if self.line:
            loc += f",line={self.line}"
            if self.column:
                loc += f",col={self.column}"
        msg = (f"{self.key}: " if self.key else "") + self.message
        return f"::{kind} {loc}::" + msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


class ChecklistError(Exception):
    """A checklist that cannot be used; carries every diagnostic found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))
