"""Which characters OpenCC's Traditional → Simplified conversion can change.

Converting a call with OpenCC cost ~6.5 µs of the ~75 it took to load one
(a 360-character call), and returned it unchanged for 95% of calls: call
centres that write Simplified Chinese rarely say anything Traditional. A
regex search for the characters OpenCC could change costs ~1.5 µs (and
answers for whitespace and rare full-width forms too, see
``normalize._short_path``), so a call without any of them skips the
conversion.

The set must be exact: a call skipped wrongly would match rules differently.
OpenCC converts by longest match over its dictionaries, so the output can
differ from the input only where some key whose value differs from it
occurs. Two kinds of key:

* One character: converting each character once, on its own, finds
  exactly these (done here at first use, in ~5 ms). Only the CJK blocks
  where the analysed dictionaries have keys are tried (``_TRIED``); every
  character outside the Basic Multilingual Plane counts as changeable.
* Phrases: some change a character that stays the same on its own
  (回覆 → 回复, while 覆 alone stays 覆). These cannot be found by asking
  OpenCC, so they were found by dumping the installed dictionaries
  (``opencc_dict -f ocd2 -t text``, OpenCC 1.4.2): 110 of the 477 phrases in
  ``TSPhrases`` change with none of their characters changing alone, and
  each changes one of ``PHRASE_ONLY``. That finding holds only for those
  dictionaries, so it is used only when the configuration and every
  dictionary it names are byte for byte the ones analysed (a digest); with
  any other OpenCC data nothing is skipped and every call is converted.

To bring a new OpenCC's data in: dump each dictionary ``t2s.json`` names,
check that only ``TSPhrases`` has keys of more than one character, take its
phrases whose (first) value differs from the key and none of whose
characters changes on its own, and make ``PHRASE_ONLY`` the characters in
which such a phrase and its value differ; then update ``_ANALYSED_DIGEST``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from itertools import compress
from operator import ne
from typing import Any

# The characters that t2s's phrase table changes inside some phrase but that
# do not change on their own (see the module docstring).
PHRASE_ONLY = "沈藉覆坏瞭哩甦衹"

# blake2b (16 bytes) of t2s.json followed by each dictionary file it names,
# in the order named, for the OpenCC 1.4.2 data ``PHRASE_ONLY`` was read from.
_ANALYSED_DIGEST = "b72f430862b8c25b1d4c28030407f0c3"

# Separates characters converted together: no OpenCC key holds it, so no
# phrase can span two characters.
_SEPARATOR = "\x01"


def _dictionary_files(node: Any) -> Iterator[str]:
    """The ``file`` of every dictionary in an OpenCC configuration, in order."""
    if isinstance(node, dict):
        if isinstance(node.get("file"), str):
            yield node["file"]
        for value in node.values():
            yield from _dictionary_files(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dictionary_files(value)


def analysed_data(config_path: str) -> bool:
    """Whether the OpenCC configuration at ``config_path`` and its dictionaries are the ones analysed."""
    try:
        with open(config_path, "rb") as fh:
            config = fh.read()
        digest = hashlib.blake2b(config, digest_size=16)
        folder = os.path.dirname(config_path)
        for name in _dictionary_files(json.loads(config)):
            with open(os.path.join(folder, name), "rb") as fh:
                digest.update(fh.read())
    except (OSError, ValueError):
        return False
    return digest.hexdigest() == _ANALYSED_DIGEST


# The code points whose conversion on its own is tried: every key of the
# analysed dictionaries in the Basic Multilingual Plane lies in these blocks
# (CJK Extension A, CJK Unified Ideographs, CJK Compatibility Ideographs);
# trying all of the plane found the same characters in three times the time.
_TRIED = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00))


def code_points(first: int, end: int) -> str:
    """``"".join(map(chr, range(first, end)))`` (no surrogates), a few times faster: decoded from UTF-32."""
    return array("I", range(first, end)).tobytes().decode("utf-32-le")


def _single_characters(convert: Callable[[str], str]) -> str | None:
    """Every character in ``_TRIED`` that ``convert`` changes on its own; ``None`` if that cannot be told."""
    chars = "".join(code_points(first, end) for first, end in _TRIED)
    converted = convert(_SEPARATOR.join(chars))
    if len(converted) == 2 * len(chars) - 1 and converted[1::2] == _SEPARATOR * (len(chars) - 1):
        parts: Sequence[str] = converted[::2]  # each character gave one character: the common case, without a split
    else:
        parts = converted.split(_SEPARATOR)
    if len(parts) != len(chars):
        return None
    return "".join(compress(chars, map(ne, chars, parts)))


def changeable_class(convert: Callable[[str], str], config_path: str) -> str | None:
    """A regex character-class body for every character ``convert`` (OpenCC t2s) might change; ``None`` when unknown.

    ``None`` means the dictionaries are not the analysed ones: then no call
    may skip the conversion.
    """
    if not analysed_data(config_path):
        return None
    singles = _single_characters(convert)
    if singles is None:
        return None
    return re.escape(singles + PHRASE_ONLY) + "\U00010000-\U0010ffff"
