"""Rows of cells, as any format gives them, -> a table block: cells on one line, rows of one
width, merged cells handled, and the header rows found when the file does not mark them."""
from __future__ import annotations

import re

from rag.ingest.blocks import Block, cell_text

_NUMERIC = re.compile(r"^[\d.,%()+\-–/\s]+$")
MAX_HEADER_ROWS = 3
HEADER_MAX = 80  # a column's name is short; a longer cell is a body cell


def make_table(rows: list[list[str | None]], header_rows: int | None = None, page: int = 0,
               ocr: bool = False) -> Block | None:
    """A table block, or None when nothing is in it. A None cell (a PDF's merged cell) takes the
    text of the cell left of it in a header row (a header spanning columns names each) and of the
    cell above it in the first column (a row group label), else stays empty."""
    width = max((len(r) for r in rows), default=0)
    grid: list[list[str]] = []
    for r, raw in enumerate(rows):
        row = [cell_text(c) if c is not None else None for c in raw] + [""] * (width - len(raw))
        grid.append(row)  # type: ignore[arg-type]
    heads = header_rows if header_rows is not None else guess_header_rows(grid)
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is not None:
                continue
            if r < heads and c > 0:
                row[c] = row[c - 1] or ""
            elif c == 0 and r > heads and grid[r - 1][0]:
                row[c] = grid[r - 1][0]
            else:
                row[c] = ""
    grid = [row for row in grid if any(row)]
    if not grid:
        return None
    return Block("table", "", page, rows=tuple(tuple(r) for r in grid), header_rows=min(heads, len(grid)), ocr=ocr)


def guess_header_rows(grid: list[list[str | None]]) -> int:
    """The leading rows that hold words only (no figures), at most three, while rows follow them."""
    n = 0
    for row in grid[:MAX_HEADER_ROWS]:
        cells = [c for c in row if c]
        if not cells or any(_NUMERIC.match(c) and not re.fullmatch(r"\(?\d{1,2}\)?", c) for c in cells) \
                or any(len(c) > HEADER_MAX for c in cells):
            break
        n += 1
    if n >= len(grid):
        # words only throughout: a header only when its first row is short names over 3+ columns
        first = [c for c in grid[0] if c]
        n = 1 if len(grid) > 1 and len(grid[0]) >= 3 and all(len(c) <= 40 for c in first) else 0
    return n
