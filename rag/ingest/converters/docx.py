"""DOCX with python-docx: paragraphs and tables in the order of the body, headings by their style
or number, list numbers Word draws (numbering.xml) put back, text boxes and nested tables kept.

A DOCX is a zip: its parts are measured before anything is inflated, so a small file that unpacks
to gigabytes is refused instead of taking the process's memory.
"""
from __future__ import annotations

import io
import re
import zipfile

from rag.ingest.blocks import Block
from rag.ingest.converters.tables import make_table
from rag.ingest.structure import classify

MAX_UNPACKED = 200 * 2**20  # a real report's XML is a few MB; images count too
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|tiêu đề)\s*(\d)$", re.IGNORECASE)


def read_docx(data: bytes, **_) -> "Converted":
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from rag.ingest.convert import ConversionError, Converted

    check_unpacked_size(data)
    document = docx.Document(io.BytesIO(data))
    numbers = _Numbering(document)
    blocks: list[Block] = []
    warnings: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{_W}p":
            paragraph = Paragraph(child, document)
            block = _paragraph_block(paragraph, numbers)
            if block:
                blocks.append(block)
            for box in child.iter(f"{_W}txbxContent"):  # text boxes drawn in the paragraph
                for p in box.iter(f"{_W}p"):
                    text = "".join(t.text or "" for t in p.iter(f"{_W}t")).strip()
                    if text:
                        blocks.append(classify(text))
        elif child.tag == f"{_W}tbl":
            try:
                table = make_table(_rows(Table(child, document)), _marked_header_rows(child))
            except (ValueError, IndexError, KeyError) as exc:
                warnings.append(f"table {sum(b.kind == 'table' for b in blocks) + 1} could not be read ({exc})")
                continue
            if table:
                blocks.append(table)
    if not blocks:
        raise ConversionError("no text could be extracted")
    return Converted(blocks, document.core_properties.title or "", warnings=warnings)


def check_unpacked_size(data: bytes, limit: int = MAX_UNPACKED) -> None:
    from rag.ingest.convert import ConversionError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ConversionError(f"cannot parse .docx file: not a zip archive ({exc})") from exc
    if unpacked > limit:
        raise ConversionError(f"the DOCX unpacks to {unpacked / 2**20:,.0f} MB (limit {limit / 2**20:.0f} MB): "
                              "not indexed, a report's text is never that large")


def _paragraph_block(paragraph, numbers: "_Numbering") -> Block | None:
    text = paragraph.text.strip()
    if not text:
        return None
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    heading = _HEADING_STYLE.match(style)
    marker = numbers.marker(paragraph._p, paragraph.style)
    if marker and not text.startswith(marker):
        text = f"{marker} {text}"
    if heading or style.lower() == "title":
        level = int(heading.group(1)) if heading else 1
        return Block("heading", text, level=level, marker=marker)
    if style.lower().startswith("caption"):
        return Block("caption", text)
    runs = [r for r in paragraph.runs if r.text.strip()]
    bold = bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs)
    block = classify(text, bold=bold)
    if marker and block.kind == "paragraph":
        return Block("list_item", text, marker=marker)
    return block


def _rows(table) -> list[list[str | None]]:
    """Cells of each row; a cell merged across columns is given once (None after it), a cell
    merged down rows is given in each row it spans (python-docx hands back the same cell)."""
    rows = []
    for row in table.rows:
        cells, last = [], None
        for cell in row.cells:
            if last is not None and cell._tc is last:
                cells.append(None)
                continue
            last = cell._tc
            cells.append(_cell_text(cell))
        rows.append(cells)
    return rows


def _cell_text(cell) -> str:
    """A cell's paragraphs, then any table nested in it, row by row ("a | b; c | d")."""
    from docx.table import Table

    parts = [p.text for p in cell.paragraphs if p.text.strip()]
    for tbl in cell._tc.iter(f"{_W}tbl"):
        nested = Table(tbl, cell._parent)
        parts.append("; ".join(" | ".join(c.text.strip() for c in r.cells) for r in nested.rows))
    return " ".join(parts)


def _marked_header_rows(tbl) -> int | None:
    """Rows Word repeats as the header on each page (w:tblHeader), when the file marks them."""
    marked = 0
    for tr in tbl.iterchildren(f"{_W}tr"):
        pr = tr.find(f"{_W}trPr")
        if pr is None or pr.find(f"{_W}tblHeader") is None:
            break
        marked += 1
    return marked or None


class _Numbering:
    """The numbers and bullets Word draws before list paragraphs, which `paragraph.text` leaves
    out: counted per list and level from numbering.xml's formats."""

    def __init__(self, document) -> None:
        self.formats: dict[tuple[str, str], tuple[str, str]] = {}
        self.counts: dict[tuple[str, str], int] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {a.get(f"{_W}abstractNumId"): a for a in root.iter(f"{_W}abstractNum")}
        for num in root.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is None or ref.get(f"{_W}val") not in abstract:
                continue
            for lvl in abstract[ref.get(f"{_W}val")].iter(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                self.formats[(num.get(f"{_W}numId"), lvl.get(f"{_W}ilvl"))] = (
                    fmt.get(f"{_W}val") if fmt is not None else "decimal",
                    text.get(f"{_W}val") if text is not None else "%1.")

    def marker(self, p, style=None) -> str:
        pr = p.find(f"{_W}pPr")
        num_pr = pr.find(f"{_W}numPr") if pr is not None else None
        if num_pr is None and style is not None:  # a list style ("List Number") numbers its paragraphs
            style_pr = style.element.find(f"{_W}pPr")
            num_pr = style_pr.find(f"{_W}numPr") if style_pr is not None else None
        if num_pr is None:
            return ""
        ids = [num_pr.find(f"{_W}{tag}") for tag in ("numId", "ilvl")]
        key = (ids[0].get(f"{_W}val") if ids[0] is not None else "", ids[1].get(f"{_W}val") if ids[1] is not None else "0")
        fmt, pattern = self.formats.get(key, ("bullet", "-"))
        if fmt == "bullet" or fmt == "none":
            return "-"
        self.counts[key] = self.counts.get(key, 0) + 1
        for deeper in [k for k in self.counts if k[0] == key[0] and k[1] > key[1]]:
            del self.counts[deeper]  # a new item restarts the levels under it
        n = self.counts[key]
        return re.sub(r"%\d", _format(n, fmt), pattern, count=1).replace("%", "") or f"{n}."


def _format(n: int, fmt: str) -> str:
    if fmt == "lowerLetter":
        return "abcdefghiklmnopqrstuvxy"[(n - 1) % 23]
    if fmt == "upperLetter":
        return "ABCDEFGHIKLMNOPQRSTUVXY"[(n - 1) % 23]
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                       (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + sym, n - value
    return out
