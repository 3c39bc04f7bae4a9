"""Compact pickling for the result types that travel from workers to the writer.

A slotted dataclass pickles by default as its class plus a dict of slot
names to values, for every object. Results cross a process (or network)
boundary once per call with dozens of evidence objects, and that default
doubled the cost of moving them; a plain tuple of field values halves it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter
from typing import Any


@lru_cache(maxsize=None)
def _fields_of(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """One C-level getter for all of a dataclass's fields (``attrgetter`` of several names returns a tuple)."""
    names = [f.name for f in dataclasses.fields(cls)]
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return attrgetter(*names)


def reduce_by_fields(self: Any) -> tuple[type, tuple[Any, ...]]:
    """``__reduce__`` for a dataclass: rebuild it from its fields, in order."""
    cls = type(self)
    return cls, _fields_of(cls)(self)
