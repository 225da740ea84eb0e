"""Vietnamese text normalization for display and for matching.

Display text is only NFC + plain spaces. Matching keys go further: one tone-mark
placement, lowercase, and a diacritic-folded form (`Huân chương` -> `huan chuong`).
"""
from __future__ import annotations

import re
import unicodedata

# Spaces that scraped pages carry and that must read as one plain space.
_ODD_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\x0b\x0c]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# Old-style (tone on the first vowel) -> new-style placement; both occur in one corpus.
_TONE_PAIRS = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}
_TONE_MAP = {}
for _old, _new in _TONE_PAIRS.items():
    _TONE_MAP[_old] = _new
    _TONE_MAP[_old.capitalize()] = _new.capitalize()
    _TONE_MAP[_old.upper()] = _new.upper()
# Only at the end of a syllable: `hoàng`, `thuyền` keep their (unambiguous) spelling.
_TONE_RE = re.compile("(" + "|".join(sorted(_TONE_MAP, key=len, reverse=True)) + r")(?!\w)")

_WORD = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)


def clean_unicode(text: str) -> str:
    """NFC, odd spaces to plain spaces, zero-width characters removed, CRLF to LF."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    return _ODD_SPACES.sub(" ", text)


_TERMINAL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")  # colour codes, titles
_INVISIBLE = {"Cc", "Cf", "Co", "Cs", "Cn"}  # controls, format marks (bidi overrides), private, unassigned


def typed_text(text: str) -> str:
    """What a person typed, less what nobody types on purpose: terminal colour codes, control
    characters, bidi overrides and other invisible marks (each becomes a space), then
    `clean_unicode` and single spaces. Questions go through it."""
    text = _TERMINAL.sub(" ", text)
    text = "".join(" " if unicodedata.category(ch) in _INVISIBLE else ch for ch in clean_unicode(text))
    return " ".join(text.split())


def canonical_tones(text: str) -> str:
    """Put tone marks in one placement so `Hóa`/`Hoá` and `Ủy`/`Uỷ` compare equal."""
    return _TONE_RE.sub(lambda m: _TONE_MAP[m.group(1)], unicodedata.normalize("NFC", text))


def fold(text: str) -> str:
    """Lowercase with every diacritic removed; `đ` becomes `d`."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", text.replace("đ", "d"))


def match_key(text: str) -> str:
    """Lowercase, NFC, one tone placement: the accented form used for matching."""
    return canonical_tones(clean_unicode(text).lower())


def words(text: str) -> list[str]:
    """Word tokens (syllables, numbers like `2.345.678`) of the match key."""
    return _WORD.findall(match_key(text))


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()
