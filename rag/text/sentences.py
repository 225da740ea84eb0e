"""Vietnamese sentence splitting with character offsets.

A sentence ends at `.`, `!`, `?`, `…` (or `...`) followed by space and a capital,
an opening quote or a digit, and always at a line break. A period after a known
abbreviation (`TP.`, `TS.`, `T.Ư`) or inside a number/date (`2.345.678`, `15.8`)
never ends one, and neither does a stop inside a quotation that goes on ("… chúng. Tôi sẽ …"),
unless the quotation runs past `MAX_QUOTED` characters (a quote mark left open). The
abbreviations are the language profile's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.profile import profile

ABBREVIATIONS = profile().abbreviations

# Candidate boundary: terminal punctuation, optional closing quotes/brackets, spaces,
# then what starts a sentence.
_BOUNDARY = re.compile(r"([.!?…]+)([\"”’»)\]]*)(\s+)(?=[\"“‘«(\[]?[A-ZÀ-ỸĐ0-9])")
_TOKEN_BEFORE = re.compile(r"([\w.Ưư/]+)$")
_TOKEN_REACH = 64  # characters: longer than any abbreviation or number before a dot
MAX_QUOTED = 400
# A table row as ingest lays it out: "label — Header: value; Header: value" (rag/ingest/blocks.py)
_TABLE_ROW = re.compile(r"[^\n—]{1,200} — [^\n:;]{1,120}: ")
MAX_ROW = 2000
_LINE_MARKER = re.compile(r"\s*(?:[IVXLC]{1,6}|\d{1,2}(?:\.\d{1,2}){0,4})\.\s")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _is_abbreviation(text: str, dot_at: int) -> bool:
    # from a little before the dot: searching from 0 made splitting a long report quadratic
    match = _TOKEN_BEFORE.search(text, max(0, dot_at - _TOKEN_REACH), dot_at)
    if not match:
        return False
    token = match.group(1).lower().rstrip(".")
    if token in ABBREVIATIONS:
        return True
    # Single capital initials (`T.` in `T.Ư`, `H.` in a name) are not sentence ends.
    return len(token) == 1 and token.isalpha()


def split_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentence spans of text[start:end], trimmed of surrounding whitespace."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    for line in re.finditer(r"[^\n]+", text[start:end]):
        line_start = start + line.start()
        line_end = start + line.end()
        cursor = line_start
        if _TABLE_ROW.match(text, line_start, line_end) and line_end - line_start <= MAX_ROW:
            _append(text, spans, line_start, line_end)  # a table row is read whole, with its headers
            continue
        marker = _LINE_MARKER.match(text, line_start, line_end)
        for boundary in _BOUNDARY.finditer(text, line_start, line_end):
            if marker and boundary.start(1) < marker.end():
                continue  # "1. Phấn đấu …", "II. NHIỆM VỤ": the number is the line's, not a sentence
            punct = boundary.group(1)
            if punct == "." and _is_abbreviation(text, boundary.start(1)):
                continue
            if _quote_goes_on(text, cursor, boundary.end(2), line_end):
                continue
            _append(text, spans, cursor, boundary.end(2))
            cursor = boundary.end(3)
        _append(text, spans, cursor, line_end)
    return spans


def _quote_goes_on(text: str, start: int, at: int, line_end: int) -> bool:
    """A quotation opened in text[start:at] closes later on the line, within MAX_QUOTED of `start`."""
    sentence = text[start:at]
    if sentence.count('"') % 2 == 1:
        close = text.find('"', at, line_end)
    elif sentence.count("“") > sentence.count("”"):
        close = text.find("”", at, line_end)
    else:
        return False
    return 0 <= close < start + MAX_QUOTED


def _append(text: str, spans: list[Span], start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))


def split(text: str) -> list[str]:
    return [text[s.start : s.end] for s in split_spans(text)]
