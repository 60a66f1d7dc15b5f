"""Likely duplicates: is a new case the same problem as one already open nearby?

When a resident reports a broken street lamp, five neighbours may already have done so. At
intake the caller picks recent open cases of the same category and passes them in as
`Candidate`s; `rank_duplicates` scores each by how alike the texts are, how close the places
are and how recent the case is, so the resident can add their voice to an existing case.

Texts are compared as sets of features. Chinese is written without spaces, so Chinese is cut
into overlapping character pairs (路灯坏了 → 路灯, 灯坏, 坏了), which matches the same words in
a different sentence without a dictionary. Latin letters and digits are cut into words.

No Django and no third-party libraries here.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Words that say nothing about the problem. Short on purpose: digits and rare short words
# ("b" in "block b", "3" in "building 3") tell places apart and are kept.
ENGLISH_STOP_WORDS = frozenset(
    """a an and are as at be been by for from has have in is it its of on or that the there
    this to was were will with not no""".split()
)

Point = tuple[float, float]  # latitude, longitude in degrees

EARTH_RADIUS_METRES = 6_371_008.8  # mean radius

# How much of a duplicate's score each part decides. The text decides whether two reports
# are about the same problem at all; place and time only strengthen or weaken that, so the
# score is the text score scaled by a factor between TEXT_FLOOR (far away and a month old)
# and 1 (same spot, today). Two different problems at the same spot therefore never match.
TEXT_FLOOR = 0.5
PLACE_WEIGHT = 0.3
RECENCY_WEIGHT = 0.2
NEAR_METRES = 300.0  # as near as counts: the same building, the same corner
FAR_METRES = 2_000.0  # beyond this, another neighbourhood
RECENT_DAYS = 30.0  # a case a month old has most likely been handled or forgotten


def text_features(text: str) -> frozenset[str]:
    """The words and Chinese character pairs of a text, after normalising width and case."""
    normal = unicodedata.normalize("NFKC", text).casefold()
    features: set[str] = set()
    for run, is_cjk in _runs(normal):
        if is_cjk:
            features.update(_character_pairs(run))
        elif run not in ENGLISH_STOP_WORDS:
            features.add(_singular(run))
    return frozenset(features)


def text_similarity(a: str, b: str) -> float:
    """Dice coefficient of the texts' features: 1.0 for the same features, 0.0 for none shared."""
    return _dice(text_features(a), text_features(b))


def distance_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points given in degrees (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_chord = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(min(1.0, half_chord)))


@dataclass(frozen=True)
class Candidate:
    """An existing case that the new one might repeat."""

    key: int  # the caller's identifier, usually the case's primary key
    text: str
    lat: float | None
    lon: float | None
    same_place: bool  # same village, compound or street, for when a point is missing
    age_days: float


@dataclass(frozen=True)
class Match:
    key: int
    score: float
    text_score: float
    distance: float | None  # metres, when both cases have a point


def rank_duplicates(
    text: str,
    lat: float | None,
    lon: float | None,
    candidates: Iterable[Candidate],
    *,
    limit: int = 5,
    threshold: float = 0.35,
) -> list[Match]:
    """The candidates most likely to be the same problem, best first, scoring at least `threshold`.

    score = text similarity × (TEXT_FLOOR + PLACE_WEIGHT × nearness + RECENCY_WEIGHT × recency),
    where nearness is 1 within NEAR_METRES fading to 0 at FAR_METRES (without points: 1 if
    `same_place`), and recency is 1 today fading to 0 at RECENT_DAYS. Ties go to the lower key.
    """
    features = text_features(text)
    here = _point(lat, lon)
    matches = [_match(features, here, candidate) for candidate in candidates]
    kept = [match for match in matches if match.score >= threshold]
    kept.sort(key=lambda match: (-match.score, match.key))
    return kept[: max(0, limit)]


def _match(features: frozenset[str], here: Point | None, candidate: Candidate) -> Match:
    text_score = _dice(features, text_features(candidate.text))
    distance = None
    there = _point(candidate.lat, candidate.lon)
    if here is not None and there is not None:
        distance = distance_metres(*here, *there)
        nearness = _fade(distance, NEAR_METRES, FAR_METRES)
    else:
        nearness = 1.0 if candidate.same_place else 0.0
    recency = _fade(candidate.age_days, 0.0, RECENT_DAYS)
    score = text_score * (TEXT_FLOOR + PLACE_WEIGHT * nearness + RECENCY_WEIGHT * recency)
    return Match(key=candidate.key, score=score, text_score=text_score, distance=distance)


def _point(lat: float | None, lon: float | None) -> Point | None:
    return None if lat is None or lon is None else (lat, lon)


def _dice(first: frozenset[str], second: frozenset[str]) -> float:
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def _fade(value: float, full_until: float, gone_at: float) -> float:
    """1 up to `full_until`, falling in a straight line to 0 at `gone_at`."""
    if value <= full_until:
        return 1.0
    if value >= gone_at:
        return 0.0
    return (gone_at - value) / (gone_at - full_until)


def _runs(text: str) -> Iterator[tuple[str, bool]]:
    """Maximal runs of CJK characters, or of other letters and digits; the rest separates them."""
    run: list[str] = []
    run_is_cjk = False
    for char in text:
        if _is_cjk(char):
            kind: bool | None = True
        elif char.isalnum():
            kind = False
        else:
            kind = None
        if run and kind is not run_is_cjk:
            yield "".join(run), run_is_cjk
            run = []
        if kind is not None:
            run.append(char)
            run_is_cjk = kind
    if run:
        yield "".join(run), run_is_cjk


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x4DBF  # CJK extension A
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # extensions B and later
        or 0x3040 <= code <= 0x30FF  # kana, written without spaces too
        or 0xAC00 <= code <= 0xD7AF  # hangul syllables
    )


def _character_pairs(run: str) -> set[str]:
    if len(run) == 1:
        return {run}
    return {run[index : index + 2] for index in range(len(run) - 1)}


def _singular(word: str) -> str:
    # "lights" and "light" are the same complaint; a crude rule is enough for matching.
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word.isalpha():
        return word[:-1]
    return word
