"""The one exception type loaders raise for bad input.

Anything a transcript can do wrong ends up as an ``InputError`` carrying the
file and, where there is one, the line, so the batch can report it and go on.
"""

from __future__ import annotations


class InputError(Exception):
    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line
