"""The document model: typed blocks in reading order, and the one cleaned text they lay out into.

Every converter yields `Block`s (a heading with its number, a paragraph, a list item with its
marker, a table with header and body rows, a caption, a footnote), each with the page it came
from. `lay_out` turns them into the cleaned text that chunks and citations index into, and a
`Layout`: where each block sits in that text, its kind, page and heading path, so a citation
can say "Chương II › Điều 19, trang 12" and a table row keeps its column headers.

A table row is written as one line that names its headers, so it is a unit a sentence
splitter, BM25 and the embedder all read whole:
"Kết nạp đảng viên mới — Kế hoạch năm: 260; Thực hiện 6 tháng: 143; Tỷ lệ (%): 55,0".
"""
from __future__ import annotations

import bisect
import functools
import json
import re
from dataclasses import dataclass, field

KINDS = ("heading", "paragraph", "list_item", "table", "caption", "footnote")
SECTION_SEP = " › "


@dataclass(frozen=True)
class Block:
    kind: str  # one of KINDS
    text: str = ""  # a table's is empty: its rows hold the cells
    page: int = 0  # 1-based page of a PDF; 0 where a format has no pages
    level: int = 0  # a heading's depth (1 = "Chương", "I."; deeper numbers deeper)
    marker: str = ""  # "Chương II", "Điều 19", "1.2.", "a)", "-": a heading's number or a list item's bullet
    rows: tuple[tuple[str, ...], ...] = ()  # a table's rows of cells
    header_rows: int = 0  # how many of `rows` are column headers
    ocr: bool = False  # read by OCR from a page image


@dataclass(frozen=True)
class Placed:
    """One laid-out unit of the cleaned text: a block, or one row of a table."""
    start: int
    end: int
    kind: str  # a block kind, or "table_row"
    page: int
    section: str  # the heading path above it, "Chương II › Điều 19"
    ocr: bool = False


@dataclass
class Layout:
    units: list[Placed] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [u.start for u in self.units]  # units are in text order

    def at(self, offset: int) -> Placed | None:
        """The unit holding `offset` (or the nearest one before it)."""
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.units[i] if i >= 0 else None

    def dumps(self) -> str:
        """Compact JSON for the report record: sections once, then [start, end, kind, page, section, ocr]."""
        sections = list(dict.fromkeys(u.section for u in self.units))
        index = {s: i for i, s in enumerate(sections)}
        rows = [[u.start, u.end, KINDS.index(u.kind) if u.kind in KINDS else -1, u.page, index[u.section], int(u.ocr)]
                for u in self.units]
        return json.dumps({"s": sections, "u": rows}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def loads(cls, data: str) -> "Layout":
        if not data:
            return cls()
        raw = json.loads(data)
        kinds = {i: k for i, k in enumerate(KINDS)} | {-1: "table_row"}
        return cls([Placed(a, b, kinds[k], p, raw["s"][s], bool(o)) for a, b, k, p, s, o in raw["u"]])


@functools.lru_cache(maxsize=32)
def parse_layout(data: str) -> Layout:
    """A report record's layout, parsed once however many questions read it."""
    return Layout.loads(data)


def layout_of(report) -> Layout:
    """Where each block of a stored report sits (empty for no report, or one indexed before
    layouts were kept: every lookup then finds nothing)."""
    return parse_layout(report.meta.get("layout") or "") if report is not None else Layout()


_SPACES = re.compile(r"\s+")


def cell_text(text: str) -> str:
    """A table cell on one line: its wrapped lines joined."""
    return _SPACES.sub(" ", text or "").strip()


def row_line(cells: tuple[str, ...], headers: tuple[str, ...]) -> str:
    """A body row as the unit it is read as: its label, then each other cell named by its column."""
    cells = tuple(cell_text(c) for c in cells)
    filled = [i for i, c in enumerate(cells) if c]
    if not filled:
        return ""
    if not any(headers):
        return " | ".join(cells[i] for i in filled)
    label_at = filled[0]
    # a leading running number ("1", "2.") is the row's number, not its label
    if re.fullmatch(r"[\dIVXivx]+[.)]?", cells[label_at]) and len(filled) > 1:
        label_at = filled[1]
    parts = []
    for i in filled:
        if i <= label_at:
            continue
        header = headers[i] if i < len(headers) else ""
        parts.append(f"{header}: {cells[i]}" if header else cells[i])
    label = " ".join(cells[i] for i in filled if i <= label_at)
    return f"{label} — {'; '.join(parts)}" if parts else label


def table_headers(block: Block) -> tuple[str, ...]:
    """One header per column: the header rows' cells joined top to bottom ("Năm 2024 / Kế hoạch")."""
    width = max((len(r) for r in block.rows), default=0)
    heads = []
    for col in range(width):
        parts: list[str] = []
        for row in block.rows[: block.header_rows]:
            cell = cell_text(row[col]) if col < len(row) else ""
            if cell and (not parts or parts[-1] != cell):
                parts.append(cell)
        heads.append(" / ".join(parts))
    return tuple(heads)


def block_lines(block: Block) -> list[tuple[str, str]]:
    """(text, kind) of each line a block lays out as: a table gives its header line and one per row."""
    if block.kind != "table":
        text = block.text.strip()
        if block.marker and block.kind == "list_item" and not text.startswith(block.marker):
            text = f"{block.marker} {text}"
        return [(text, block.kind)] if text else []
    headers = table_headers(block)
    lines = []
    if any(headers):
        lines.append((" | ".join(h for h in headers if h), "table"))
    for row in block.rows[block.header_rows:]:
        line = row_line(row, headers)
        if line:
            lines.append((line, "table_row"))
    return lines


# A table row's running number and its level: roman (a group: "III Năm 2019"), arabic, letter.
_ROW_NUMBER = re.compile(r"(?:(?P<roman>[IVX]{1,5})|(?P<arabic>\d{1,3})|(?P<letter>[a-zđ]))[.)]?\s")
_ROW_LEVELS = ("roman", "arabic", "letter")


def _row_level(line: str) -> int:
    """0 for a row numbered "III", 1 for "5", 2 for "a", 3 for a row without a running number."""
    number = _ROW_NUMBER.match(line)
    return next((i for i, name in enumerate(_ROW_LEVELS) if number and number.group(name)), len(_ROW_LEVELS))


def lay_out(blocks: list[Block]) -> tuple[str, Layout]:
    """The cleaned text (one unit a paragraph, separated by a blank line) and where each unit is.
    A table row numbered under a group row ("5 Lai Châu" under "III Năm 2019", the same table
    or its continuation on the next page) has the group in its section path, as under a heading."""
    parts: list[str] = []
    units: list[Placed] = []
    path: list[tuple[int, str]] = []  # (level, heading text) of the headings above
    groups: dict[int, str] = {}  # row level -> label of the last group row at that level
    offset = 0
    for block in blocks:
        lines = block_lines(block)
        if not lines:
            continue
        if block.kind != "table":
            groups = {}
        if block.kind == "heading":
            level = block.level or 1
            path = [(lv, t) for lv, t in path if lv < level]
            section = SECTION_SEP.join(t for _, t in path)
            path.append((level, _heading_label(lines[0][0])))
        else:
            section = SECTION_SEP.join(t for _, t in path)
        for text, kind in lines:
            if parts:
                offset += 2
            parts.append(text)
            units.append(Placed(offset, offset + len(text), kind, block.page, _in_group(section, text, groups)
                                if kind == "table_row" else section, block.ocr))
            offset += len(text)
    return "\n\n".join(parts), Layout(units)


def _in_group(section: str, row: str, groups: dict[int, str]) -> str:
    """The row's section path with the group rows above it; a numbered row is the group of those below."""
    level = _row_level(row)
    above = [label for lv, label in sorted(groups.items()) if lv < level]
    if level < len(_ROW_LEVELS):
        for deeper in [lv for lv in groups if lv >= level]:
            del groups[deeper]
        groups[level] = _heading_label(row.split(" — ", 1)[0])
    return SECTION_SEP.join([section, *above] if section else above)


def _heading_label(text: str, limit: int = 80) -> str:
    """A heading as a path step: whole when short, else cut at a word before `limit`."""
    text = cell_text(text)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit] + "…"


def paragraphs_to_blocks(text: str, page: int = 0) -> list[Block]:
    """Plain text as blocks: every non-empty line a paragraph (what scraped text is)."""
    return [Block("paragraph", line, page) for line in text.split("\n") if line.strip()]

