"""Bilingual names: English when the UI is English and an English name exists, else Japanese."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "ja").startswith("en")


def localized(obj, base: str = "name") -> str:
    """``name_en`` in English (when set), otherwise ``name_ja``; works on models and dicts."""
    get = obj.get if isinstance(obj, dict) else lambda key, default="": getattr(obj, key, default)
    if is_english() and get(f"{base}_en", ""):
        return get(f"{base}_en", "")
    return get(f"{base}_ja", "")


def falls_back(obj, base: str = "name") -> bool:
    """True when the English UI has to show the Japanese name (no English name exists)."""
    get = obj.get if isinstance(obj, dict) else lambda key, default="": getattr(obj, key, default)
    return is_english() and not get(f"{base}_en", "")


class LocalizedNameMixin:
    """``display_name``: the name in the active language (Japanese when no English exists)."""

    @property
    def display_name(self) -> str:
        return localized(self)
