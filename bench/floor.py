"""The two baselines the audit is measured against, on the same files.

The floor is what no auditor can avoid: read each file, decode it, split it
into turns; nothing else. The peer is what a user would write with the same
packages instead of this tool: spaCy's Chinese pipeline with the jieba
segmenter and a PhraseMatcher over the checklist's phrase lists. Both read
the generated corpus only (UTF-8, the four shapes bench.generate writes).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

Turns = list[tuple[str, str]]


def _text_turns(text: str) -> Turns:
    lines = text.split("\n")
    start = 0
    if lines and lines[0] == "---":
        start = lines.index("---", 1) + 1
    turns = []
    for line in lines[start:]:
        head, sep, said = line.partition("：")
        if sep:
            turns.append((head.rsplit(" ", 1)[-1], said))
    return turns


def iter_calls(path: Path) -> Iterator[Turns]:
    """Every call in one file as (speaker, text) pairs: read, decode, split, and no more."""
    text = path.read_bytes().decode("utf-8")
    suffix = path.suffix
    if suffix == ".json":
        yield [(t["speaker"], t["text"]) for t in json.loads(text)["turns"]]
    elif suffix == ".jsonl":
        for line in text.split("\n"):
            if line:
                yield [(t["speaker"], t["text"]) for t in json.loads(line)["turns"]]
    elif suffix == ".txt":
        yield _text_turns(text)
    elif suffix == ".csv":
        calls: dict[str, Turns] = {}
        rows = csv.reader(text.split("\n"))
        next(rows)
        for row in rows:
            if row:
                calls.setdefault(row[0], []).append((row[4], row[5]))
        yield from calls.values()


def corpus_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".json", ".jsonl", ".txt", ".csv"))


def floor(files: list[Path]) -> tuple[int, int]:
    """(calls, turns) after reading, decoding and splitting every file."""
    calls = turns = 0
    for path in files:
        for call in iter_calls(path):
            calls += 1
            turns += len(call)
    return calls, turns


class Peer:
    """spaCy's blank Chinese pipeline (jieba segmenter) and a PhraseMatcher over the same phrases."""

    def __init__(self, phrases: list[str]) -> None:
        import logging

        import jieba
        import spacy
        from spacy.matcher import PhraseMatcher

        jieba.setLogLevel(logging.WARNING)
        self.nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        self.matcher = PhraseMatcher(self.nlp.vocab)
        self.matcher.add("CHECKLIST", [self.nlp.make_doc(p) for p in phrases])

    def run(self, calls: Iterable[Turns]) -> tuple[int, int]:
        """(calls, phrase hits) over ``calls``, already read and split (the floor's part, timed on its own)."""
        n = hits = 0
        for call in calls:
            for doc in self.nlp.pipe(text for _, text in call):
                hits += len(self.matcher(doc))
            n += 1
        return n, hits


def spread_sample(files: list[Path], size: int, total: int) -> list[Turns]:
    """About ``size`` of the ``total`` calls of ``files`` (the floor counts them), every k-th, so every format and file is in it.

    The first calls alone would be the first format's: here, all CSV.
    """
    step = max(1, total // max(size, 1))
    return list(islice((call for path in files for call in iter_calls(path)), 0, None, step))[:size]
