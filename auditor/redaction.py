"""Personal data in transcripts: find it, check it is real, mask it.

One place for the patterns and their validators. ``--redact`` passes
``redact`` to every writer (workbook, results.jsonl, terminal), and the
``sensitive_data`` detector reuses the same validators to recognise a card
number an agent reads out.

What is masked, always keeping the last four digits so a reviewer can still
match a record against the CRM. Masking keeps the length and the spaces or
dashes of what it masks (so highlighted evidence still lines up):

- mainland mobile numbers (11 digits starting 13x–19x, with or without +86 /
  0086 / 86, spaces or dashes): the middle four become ``*``:
  ``138****5566``, ``+86 138-****-5566``;
- 18-digit resident identity numbers whose GB 11643 check digit is right:
  ``**************123X``;
- bank card numbers of 13–19 digits (spaces or dashes allowed) that pass the
  Luhn check: ``************0123``, ``**** **** **** 0123``;
- e-mail addresses: the part before ``@`` becomes ``*``: ``*********@example.com``
  (no digits to keep).

Validation is what keeps order numbers, amounts and timestamps readable: a
random 18-digit number passes the identity check 1 time in 11 and a random
card-length number the Luhn check 1 time in 10, so most non-PII stays. A
number glued to ASCII letters or other digits (``ab13812345678``, a content
hash) is not touched. Full-width digits (``１３８…``) count as digits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator

# \d is Unicode-aware: full-width digits in Chinese text are matched too.
_EDGE_BEFORE = r"(?<![\dA-Za-z])"
_EDGE_AFTER = r"(?![\dA-Za-z])"

MOBILE_RE = re.compile(_EDGE_BEFORE + r"(?P<cc>(?:\+|00|＋)?[8８][6６][ -]?)?(?P<num>\d(?:[ -]?\d){10})" + _EDGE_AFTER)
RESIDENT_ID_RE = re.compile(_EDGE_BEFORE + r"\d{17}[\dXx]" + _EDGE_AFTER)
CARD_RE = re.compile(_EDGE_BEFORE + r"\d(?:[ -]?\d){12,18}" + _EDGE_AFTER)
# Bounded quantifiers keep matching linear on hostile text (20,000 dots).
EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])")

_DIGIT = re.compile(r"\d")
_ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]
_ID_CHECK = "10X98765432"


def digits_of(text: str) -> str:
    """The ASCII digits of ``text`` (full-width and other Unicode digits converted, separators dropped)."""
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdigit())


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check every bank card number carries."""
    digits = digits_of(number)
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def resident_id_valid(number: str) -> bool:
    """GB 11643-1999: 17 digits, then a mod-11 check character (``X`` for 10)."""
    text = "".join(c for c in number if c.isdigit() or c in "Xx")
    if len(text) != 18:
        return False
    body = digits_of(text[:17])
    if len(body) != 17:
        return False
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS)) % 11]
    last = text[17].upper()
    return (last if last == "X" else digits_of(last)) == check


def mobile_valid(number: str) -> bool:
    digits = digits_of(number)
    for prefix in ("0086", "86"):
        if len(digits) == 11 + len(prefix) and digits.startswith(prefix):
            digits = digits[len(prefix):]
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def find_cards(text: str) -> Iterator[re.Match[str]]:
    """Luhn-valid card numbers in ``text`` (the ``sensitive_data`` detector uses this)."""
    return (m for m in CARD_RE.finditer(text) if luhn_valid(m.group()))


def _star_digits(text: str, keep_first: int = 0, keep_last: int = 4) -> str:
    """Replace digits with ``*`` except the first ``keep_first`` and last ``keep_last``; other characters stay."""
    positions = [i for i, c in enumerate(text) if c.isdigit() or c in "Xx"]
    hidden = set(positions[keep_first : len(positions) - keep_last])
    return "".join("*" if i in hidden else c for i, c in enumerate(text))


def _mask_id(m: re.Match[str]) -> str:
    return _star_digits(m.group()) if resident_id_valid(m.group()) else m.group()


def _mask_card(m: re.Match[str]) -> str:
    text = m.group()
    if mobile_valid(text):  # 86 + a mobile number is 13 digits and may pass Luhn by chance
        return MOBILE_RE.sub(_mask_mobile, text)
    return _star_digits(text) if luhn_valid(text) else text


def _mask_mobile(m: re.Match[str]) -> str:
    if not mobile_valid(m.group("num")):
        return m.group()
    return (m.group("cc") or "") + _star_digits(m.group("num"), keep_first=3)


def _mask_email(m: re.Match[str]) -> str:
    local, domain = m.group().split("@", 1)
    return "*" * len(local) + "@" + domain


def redact(text: str) -> str:
    """``text`` with every recognised phone, ID, card number and e-mail masked; same length, idempotent."""
    if "@" in text:
        text = EMAIL_RE.sub(_mask_email, text)
    if not _DIGIT.search(text):
        return text
    # Longest, most specific first: an ID or card number must not be half-eaten as a phone number.
    text = RESIDENT_ID_RE.sub(_mask_id, text)
    text = CARD_RE.sub(_mask_card, text)
    return MOBILE_RE.sub(_mask_mobile, text)


Redactor = Callable[[str], str]


def redactor(enabled: bool) -> Redactor | None:
    """What the writers take as ``redact``: the function, or ``None`` to write text as it is."""
    return redact if enabled else None


def redact_call(call, redact_fn: Redactor = redact):
    """A copy of a ``Call`` with every text field masked (for views such as ``auditor explain``).

    Masking keeps lengths, so evidence spans found on the original text still
    point at the same characters of the masked one.
    """
    from dataclasses import replace

    meta = {k: redact_fn(v) if isinstance(v, str) else v for k, v in
            (("call_id", call.call_id), ("agent_id", call.agent_id), ("agent_name", call.agent_name), ("team", call.team))}
    turns = tuple(t._replace(text=redact_fn(t.text)) for t in call.turns)
    return replace(call, turns=turns, source=replace(call.source, path=redact_fn(call.source.path)), **meta)


def redact_result(result, redact_fn: Redactor = redact):
    """A copy of a ``CallResult`` with ids, names, the source and all evidence text masked."""
    from copy import copy
    from dataclasses import replace

    out = copy(result)
    for name in ("call_id", "agent_id", "agent_name", "team", "source_path"):
        value = getattr(result, name)
        if isinstance(value, str):
            setattr(out, name, redact_fn(value))
    out.items = {
        item_id: replace(res, evidence=[replace(e, text=redact_fn(e.text), match=redact_fn(e.match), note=redact_fn(e.note)) for e in res.evidence])
        for item_id, res in result.items.items()
    }
    return out
