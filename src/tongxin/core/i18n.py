"""Helpers for content stored in both languages (names of organisations, sectors, ...)."""

from collections.abc import Iterable

from django.utils.translation import get_language, pgettext


def prefers_english() -> bool:
    return (get_language() or "").startswith("en")


def localised(chinese: str, english: str) -> str:
    """The English text when the reader reads English and it exists, else the Chinese."""
    return english if english and prefers_english() else chinese


def join_list(items: Iterable[object]) -> str:
    """Items joined the way the reader's language lists them: "a, b" in English, "甲、乙" in Chinese."""
    return pgettext("between items of a list", ", ").join(str(item) for item in items)
