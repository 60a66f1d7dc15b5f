"""Helpers for content stored in both languages (names of organisations, sectors, ...)."""

from django.utils.translation import get_language


def prefers_english() -> bool:
    return (get_language() or "").startswith("en")


def localised(chinese: str, english: str) -> str:
    """The English text when the reader reads English and it exists, else the Chinese."""
    return english if english and prefers_english() else chinese
