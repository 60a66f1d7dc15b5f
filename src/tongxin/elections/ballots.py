"""A ballot as stored: one fixed-size string per round, whatever it says.

Every candidate of the round takes one character (approve "A", disapprove "D", abstain "N",
or "-" where a paper ballot was left unmarked), then every write-in slot (one per seat) takes
the name's UTF-8 bytes padded to WRITE_IN_BYTES, in base64, whether it is used or not. The
whole string is ASCII of one length per round: a ballot that approves everyone and one that
disapproves everyone and writes in three Chinese names take the same bytes, so a stored row's
size says nothing about its content.

Pure: no Django. `decode` gives a `counting.Ballot` keyed by the labels the count uses.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from .counting import Ballot, Mark

WRITE_IN_BYTES = 60  # 20 Chinese characters, 60 Latin letters
SLOT_WIDTH = 80  # base64 of WRITE_IN_BYTES
SEPARATOR = "|"
UNMARKED = "-"
LETTERS = {Mark.APPROVE: "A", Mark.DISAPPROVE: "D", Mark.ABSTAIN: "N"}
MARKS_BY_LETTER = {letter: mark for mark, letter in LETTERS.items()}


class EncodingError(ValueError):
    """The ballot cannot be stored as given (a code, for the caller to word)."""


def content_length(candidates: int, slots: int) -> int:
    return candidates + slots * (1 + SLOT_WIDTH)


def encode(marks: Sequence[str | None], write_ins: Sequence[str], *, slots: int) -> str:
    """`marks` in the round's candidate order (None: left unmarked); at most `slots` write-ins."""
    letters = "".join(UNMARKED if mark is None else LETTERS[Mark(mark)] for mark in marks)
    names = [" ".join(name.split()) for name in write_ins if name and name.strip()]
    if len(names) > slots:
        raise EncodingError("too_many_write_ins")
    for name in names:
        if len(name.encode()) > WRITE_IN_BYTES:
            raise EncodingError("write_in_too_long")
    padded = names + [""] * (slots - len(names))
    return letters + "".join(SEPARATOR + _slot(name) for name in padded)


def _slot(name: str) -> str:
    return base64.b64encode(name.encode().ljust(WRITE_IN_BYTES, b" ")).decode("ascii")


def _name(slot: str) -> str:
    try:
        return base64.b64decode(slot, validate=True).decode().strip()
    except (binascii.Error, UnicodeDecodeError):
        raise EncodingError("bad_content") from None


def decode(content: str, labels: Sequence[str]) -> Ballot:
    """The ballot for counting: marks keyed by the candidates' labels (unmarked ones left out)."""
    letters, rest = content[: len(labels)], content[len(labels) :]
    marks = {label: MARKS_BY_LETTER[letter].value for label, letter in zip(labels, letters) if letter != UNMARKED}
    write_ins = tuple(name for name in (_name(slot) for slot in rest.split(SEPARATOR)[1:]) if name)
    return Ballot(marks=marks, write_ins=write_ins)
