"""What a line of a report is: a numbered heading ("Chương II", "Điều 19.", "I.", "1.2."), a list
item ("a)", "-", "1." before a whole sentence) or a paragraph; used by every converter whose format
does not say (plain text, PDF lines, DOCX paragraphs without a heading style).

Levels only need to order the headings of one report: Phần < Chương < Mục < Điều < "1." < "1.1."
< "a)". A roman "I." sits with Chương (reports use one or the other).
"""
from __future__ import annotations

import re

from rag.ingest.blocks import Block

_NAMED = [  # (pattern of the marker, level)
    (re.compile(r"^(phần\s+(?:thứ\s+)?[\wIVXLC]+)\b[.:]?", re.IGNORECASE), 1),
    (re.compile(r"^(chương\s+[IVXLC\d]+)\b[.:]?", re.IGNORECASE), 2),
    (re.compile(r"^(mục\s+[IVXLC\d]+)\b[.:]?", re.IGNORECASE), 3),
    (re.compile(r"^(điều\s+\d+)\s*[.:]", re.IGNORECASE), 4),
]
_APPENDIX = re.compile(r"^(phụ lục\s+(?:số\s+)?[\dIVXLC]+)\b[.:]?", re.IGNORECASE)
_ROMAN = re.compile(r"^([IVXLC]{1,6})[.)]\s+(?=\S)")
_NUMBERED = re.compile(r"^((?:\d{1,2}\.){1,5}\d{0,2})\s+(?=\S)")  # "1.", "1.2.", "1.1.1.1."
_NUMBER_PAREN = re.compile(r"^(\(?\d{1,2}\))\s+(?=\S)")  # "1)" or "(1)"
_LETTER = re.compile(r"^(\(?[a-zđ][)])\s+(?=\S)")
_BULLET = re.compile(r"^([-–+•●▪◦*])\s*(?=\S)")
HEADING_MAX = 160  # a heading is short; a numbered line longer than this is a list item


def classify(text: str, page: int = 0, ocr: bool = False, bold: bool = False) -> Block:
    """The block a line of text is. `bold`: the line is set in bold (a PDF or DOCX run), so a
    short unnumbered line is a heading too."""
    line = text.strip()
    for pattern, level in _NAMED:
        match = pattern.match(line)
        if match:
            return Block("heading", line, page, level, _title_case(match.group(1)), ocr=ocr)
    short = len(line) <= HEADING_MAX and not line.endswith((".", ";", ",", ":")) or (len(line) <= 90 and line.isupper())
    match = _APPENDIX.match(line)
    if match and short:  # "Phụ lục 02 Biểu tổng hợp …": a part of its own after the body
        return Block("heading", line, page, 1, _title_case(match.group(1)), ocr=ocr)
    match = _ROMAN.match(line)
    if match and _roman_ok(match.group(1)):
        return Block("heading" if short else "list_item", line, page, 2, match.group(1) + ".", ocr=ocr)
    match = _NUMBERED.match(line)
    if match and not re.match(r"^\d{1,2}\.\d{1,2}\.\d{2,4}\b", line):  # not a date "26.6.2019"
        marker = match.group(1)
        depth = _depth(marker)
        return Block("heading" if short and (bold or depth > 1 or line.isupper() or len(line) < 100) else "list_item",
                     line, page, 4 + depth, marker, ocr=ocr)
    for pattern in (_NUMBER_PAREN, _LETTER, _BULLET):
        match = pattern.match(line)
        if match:
            return Block("list_item", line, page, 0, match.group(1), ocr=ocr)
    if (bold or (line.isupper() and len(line) >= 4)) and len(line) <= 120 and not line.endswith((".", ";", ",")) \
            and sum(ch.isalpha() for ch in line) >= 4:
        return Block("heading", line, page, 1 if line.isupper() else 6, "", ocr=ocr)
    return Block("paragraph", line, page, ocr=ocr)


def marker_style(marker: str) -> str:
    """The kind of a list marker, so siblings can be told apart from sub-items: "a)" and "c)" are
    both "a)", "1." and "2." both "1.", "1.2." is "1.1.", a bullet is itself."""
    if _LETTER.match(marker + " x"):
        return "a)"
    if _NUMBER_PAREN.match(marker + " x"):
        return "1)"
    if _NUMBERED.match(marker + " x"):
        return "1." * _depth(marker)
    if _ROMAN.match(marker + " x"):
        return "I."
    return marker


def _depth(numbered: str) -> int:
    """1 for "1.", 2 for "1.2." or "1.2"."""
    return numbered.rstrip(".").count(".") + 1


def _roman_ok(token: str) -> bool:
    return bool(re.fullmatch(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})", token))


def _title_case(marker: str) -> str:
    head, _, rest = marker.partition(" ")
    return f"{head[:1].upper()}{head[1:].lower()} {rest}".strip()
