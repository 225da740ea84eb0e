"""Positioned lines of pages (a PDF's text layer, or OCR) -> blocks as people read them.

A PDF exported from Word has no paragraphs, only lines. Lines are joined into a paragraph while
the next one carries on the sentence: no blank line between, no heading or list marker starting
it, the line before not ending a sentence short of the right margin. Hyphenation is undone.
What is not the report's text goes: page numbers, running headers and footers (a line at the top
or bottom of most pages), table-of-contents lines (dot leaders and a page number). Footnotes (a
smaller font at the foot of a page) become footnote blocks of their own.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from rag.ingest.blocks import Block
from rag.ingest.structure import classify
from rag.text.normalize import fold


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # font size (a char's height)
    bold: bool = False
    group: str = ""  # OCR's paragraph, when the reader found one


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[tuple[float, Block]] = field(default_factory=list)  # (top, table block), in place
    ocr: bool = False


_PAGE_NUMBER = re.compile(r"^(?:trang\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?$|^\d{1,4}\s*/\s*\d{1,4}$|^page\s+\d+(\s+of\s+\d+)?$",
                          re.IGNORECASE)
_TOC = re.compile(r"(?:\.{4,}|…{2,}|(?:\. ){4,}|_{4,})\s*\.?\s*\d{1,4}$")
_ENDS_SENTENCE = re.compile(r"[.!?:;…]['\"”’)]*$")
_SPACE_BEFORE = re.compile(r"(?<=\w) +([.,;:!?])(?=\s|$)")
_MARGIN = 0.09  # the top and bottom share of a page where running headers and footers are
_SMALL = 0.85  # a footnote's font is below this share of the body's


def pages_to_blocks(pages: list[Page]) -> list[Block]:
    body_size = _body_size(pages)
    furniture = _running_lines(pages)
    blocks: list[Block] = []
    current: list[Line] = []
    current_page: Page | None = None
    footnotes: list[Block] = []

    def flush() -> None:
        nonlocal current
        if current and current_page is not None:
            blocks.append(_block(current, current_page))
        current = []

    for page in pages:
        lines = [] if _is_contents_page(page) else [ln for ln in page.lines if not _is_furniture(ln, page, furniture)]
        tables = sorted(page.tables, key=lambda t: t[0])
        page_footnotes: list[Line] = []
        first_on_page = True
        left, right = _edges(lines, page)
        for line in lines:
            while tables and tables[0][0] <= line.top:
                flush()
                _add_table(blocks, tables.pop(0)[1], first_on_page)
                first_on_page = False
            if _is_footnote(line, page, body_size):
                page_footnotes.append(line)
                continue
            if current and _continues(current[-1], line, page, body_size, current_page is page, left, right):
                current.append(line)
            else:
                flush()
                current = [line]
                current_page = page
            first_on_page = False
        for _, table in tables:
            flush()
            _add_table(blocks, table, first_on_page)
            first_on_page = False
        footnotes.extend(_footnote_blocks(page_footnotes, page))
        if footnotes and current and _ENDS_SENTENCE.search(current[-1].text):
            flush()  # a sentence that ends at the foot of the page: its footnotes follow it
        if not current:
            blocks.extend(footnotes)
            footnotes = []
    flush()
    blocks.extend(footnotes)
    return blocks


def _edges(lines: list[Line], page: Page) -> tuple[float, float]:
    """The body's left and right edges on a page: where most lines start and end."""
    if len(lines) < 3:
        return (lines[0].x0 if lines else 0.0), page.width * 0.88
    starts = sorted(ln.x0 for ln in lines)
    ends = sorted(ln.x1 for ln in lines)
    return starts[len(starts) // 5], ends[int(len(ends) * 0.9)]


def _block(lines: list[Line], page: Page) -> Block:
    text = lines[0].text.strip()
    for line in lines[1:]:
        nxt = line.text.strip()
        # Vietnamese is not hyphenated at line ends: a "-" there belongs to a code or a range
        # ("12/2020/NĐ-" + "CP", "2021-" + "2025"), joined without a space
        text = text + nxt if re.search(r"\S-$", text) else f"{text} {nxt}"
    text = _SPACE_BEFORE.sub(r"\1", " ".join(text.split()))  # where a footnote marker was taken out
    bold = all(ln.bold for ln in lines)
    return classify(text, page.number, page.ocr, bold=bold)


def _continues(prev: Line, line: Line, page: Page, body_size: float, same_page: bool,
               left: float = 0.0, right: float = 0.0) -> bool:
    """Whether `line` carries on the paragraph that `prev` ends."""
    text = line.text.strip()
    start = classify(text)
    if start.kind in ("heading", "list_item") and (start.marker or start.kind == "heading"):
        return False
    prev_block = classify(prev.text.strip(), bold=prev.bold)
    if prev_block.kind == "heading" and not (prev.bold == line.bold and text.isupper() == prev.text.strip().isupper()
                                             and not _ENDS_SENTENCE.search(prev.text)):
        return False
    if prev.group and line.group and prev.group != line.group and _ENDS_SENTENCE.search(prev.text.strip()):
        return False  # OCR's blocks split mid-sentence too: only a finished sentence ends at one
    if not same_page:
        return not _ENDS_SENTENCE.search(prev.text.strip()) or text[:1].islower()
    height = max(prev.bottom - prev.top, 1.0)
    if line.top - prev.bottom > 0.9 * height:
        return False  # a blank line between
    if not page.ocr and abs(line.size - prev.size) > 0.15 * max(body_size, 1.0):  # OCR heights are noisy
        return False
    if line.bold != prev.bold and _ENDS_SENTENCE.search(prev.text.strip()):
        return False
    if _ENDS_SENTENCE.search(prev.text.strip()):
        # a sentence ending short of the right edge, or an indented first line, starts a paragraph
        if prev.x1 < right - 0.08 * (right - left) or line.x0 > left + 12:
            return False
    return True


def _add_table(blocks: list[Block], table: Block, first_on_page: bool) -> None:
    """A table that goes on from the page before (first on its page, same columns) joins it; a
    header repeated at the top of the page is read once."""
    prev = blocks[-1] if blocks else None
    width = len(table.rows[0]) if table.rows else 0
    if first_on_page and prev is not None and prev.kind == "table" and prev.rows and len(prev.rows[0]) == width:
        rows = list(table.rows)
        head = list(prev.rows[: prev.header_rows])
        if head and rows[: len(head)] == head:
            rows = rows[len(head):]
        elif table.header_rows:
            rows = rows[table.header_rows:] if rows[: table.header_rows] == head else rows
        from dataclasses import replace

        blocks[-1] = replace(prev, rows=prev.rows + tuple(rows))
        return
    blocks.append(table)


def _body_size(pages: list[Page]) -> float:
    sizes = Counter()
    for page in pages:
        for line in page.lines:
            sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 12.0


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", fold(text).strip())


def _in_margin(line: Line, page: Page) -> bool:
    # the bottom edge decides at the foot: a landscape page's number sits lower in a shorter margin
    return line.bottom < page.height * _MARGIN * 1.4 or line.bottom > page.height * (1 - _MARGIN)


def _running_lines(pages: list[Page]) -> set[str]:
    """Lines found in the top or bottom margin of many pages: running headers and footers."""
    if len(pages) < 3:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_key(ln.text) for ln in page.lines if _in_margin(ln, page)})
    return {k for k, n in counts.items() if n >= max(3, 0.3 * len(pages))}


def _is_furniture(line: Line, page: Page, running: set[str]) -> bool:
    text = line.text.strip()
    if not text:
        return True
    if _TOC.search(text):
        return True
    if _in_margin(line, page) and (_PAGE_NUMBER.match(text) or _key(text) in running):
        return True
    return False


def _is_contents_page(page: Page) -> bool:
    """A table of contents (or of figures): many of its lines end in dot leaders and a page number;
    the lines of an entry that wrap carry none, so the whole page goes."""
    ends = sum(bool(_TOC.search(ln.text.strip())) for ln in page.lines)
    return ends >= 3 and ends >= 0.25 * len(page.lines)


def _is_footnote(line: Line, page: Page, body_size: float) -> bool:
    return line.size < _SMALL * body_size and line.top > page.height * 0.6 and not line.text.strip().isupper()


def _footnote_blocks(lines: list[Line], page: Page) -> list[Block]:
    """Footnote lines as footnotes: a new one where a line starts with its number."""
    notes: list[list[str]] = []
    for line in lines:
        text = line.text.strip()
        if not notes or re.match(r"^\(?\d{1,3}[).]?\s", text) or re.match(r"^[*†]", text):
            notes.append([text])
        else:
            notes[-1].append(text)
    return [Block("footnote", " ".join(" ".join(n).split()), page.number, ocr=page.ocr) for n in notes]

