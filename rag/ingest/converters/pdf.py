"""PDF with pdfplumber (text with positions and fonts, ruled tables) and pypdfium2 (pages rendered
for OCR): page by page, each page's cache freed after it, so memory stays flat on long files.

A page with no text layer (a scan) or a layer that is not Vietnamese text (a font without a
Unicode map gives mojibake) is read by OCR. Footnote markers (small raised digits after a word)
are taken out of the sentence; the footnotes stay as footnote blocks. Tables found by their ruling
are read as tables, in place, and their words kept out of the running text.
"""
from __future__ import annotations

import io
import re

from rag.ingest.blocks import Block
from rag.ingest.converters import ocr
from rag.ingest.converters.lines import Line, Page, pages_to_blocks
from rag.ingest.converters.tables import make_table

MAX_PAGES = 2000
# Letters no Vietnamese word has, which fonts without a Unicode map put out instead of ă, ơ, ư…
_FOREIGN = set("ÄÅÆÇËÎÏÑÖØÛÜßäåæçëîïñöøûüÿ¡¢£¤¥¦§¨©ª«¬®¯±²³´µ¶·¸¹º»¼½¾¿ÐÞðþ×÷")
_CID = re.compile(r"\(cid:\d+\)")


def read_pdf(data: bytes, progress: bool = False, name: str = "", **_) -> "Converted":
    import pdfplumber
    import pypdfium2
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    from rag.ingest.convert import ConversionError, Converted

    if _encrypted(data):
        raise ConversionError("PDF is encrypted (password protected)")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except PDFPasswordIncorrect as exc:
        raise ConversionError("PDF is encrypted (password protected)") from exc
    pages: list[Page] = []
    warnings: list[str] = []
    ocr_pages: list[int] = []
    rendered = None
    with pdf:
        count = len(pdf.pages)
        if count > MAX_PAGES:
            warnings.append(f"{count} pages: only the first {MAX_PAGES} are read")
        bar = _bar(min(count, MAX_PAGES), name, progress)
        for number, plumber_page in enumerate(pdf.pages[:MAX_PAGES], start=1):
            try:
                page = _read_page(plumber_page, number)
            except Exception as exc:  # one broken page does not lose the others
                warnings.append(f"page {number}: could not be read ({type(exc).__name__})")
                page = Page(number, float(plumber_page.width or 595), float(plumber_page.height or 842))
            finally:
                plumber_page.close()
            if needs_ocr(page):
                if rendered is None:
                    rendered = pypdfium2.PdfDocument(data)
                try:
                    page = _ocr_page(rendered[number - 1], page)
                    ocr_pages.append(number)
                except ocr.OcrUnavailable as exc:
                    warnings.append(f"page {number}: a scanned page, not read ({exc})")
                    page.lines = []
            if not page.lines and not page.tables:
                warnings.append(f"page {number}: no text")
            pages.append(page)
            bar.set_postfix_str(f"OCR {len(ocr_pages)}" if ocr_pages else "")
            bar.update(1)
        bar.close()
        title = str((pdf.metadata or {}).get("Title") or "")
    if rendered is not None:
        rendered.close()
    blocks = pages_to_blocks(pages)
    if not blocks:
        raise ConversionError("no text could be extracted" + (f" ({'; '.join(warnings[:3])})" if warnings else ""))
    return Converted(blocks, _clean_title(title), pages=len(pages), ocr_pages=ocr_pages, warnings=warnings)


def _encrypted(data: bytes) -> bool:
    """Whether a password guards the text (pypdf reads the trailer without parsing the pages)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        return reader.is_encrypted and not reader.decrypt("")
    except Exception:  # a broken file: the parser says why, below
        return False


def _bar(total: int, name: str, progress: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=f"Reading {name}"[:60], unit="page", leave=False,
                disable=not progress or total < 5)


def _read_page(page, number: int) -> Page:
    # footnote markers go before the tables are read too: "Số nhập học¹" is "Số nhập học"
    unmarked = {id(c) for c in _without_footnote_markers(page.chars)}
    if len(unmarked) != len(page.chars):
        page = page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in unmarked)
    boxes, tables = [], []
    for t in page.find_tables():
        block = make_table(t.extract(), page=number)
        if block is not None and is_table(block):
            boxes.append(t.bbox)
            tables.append((float(t.bbox[1]), block))
    chars = [c for c in page.chars if not _inside(c, boxes)]
    lines = []
    kept = {id(c) for c in chars}
    # pdfplumber hands the same char dicts to filters, so identity says which were kept
    body = page.filter(lambda obj: obj.get("object_type") != "char" or id(obj) in kept) \
        if len(kept) != len(page.chars) else page
    # x_tolerance 1.5, not 3: PDFs without space characters (Google Docs) glue words at 3
    for found_line in body.extract_text_lines(strip=True, return_chars=True, x_tolerance=1.5):
        line_chars = [c for c in found_line["chars"] if c["text"].strip()]
        if not line_chars or not found_line["text"].strip():
            continue
        sizes = sorted(c["size"] for c in line_chars)
        bold = sum("bold" in (c.get("fontname") or "").lower() for c in line_chars) > 0.6 * len(line_chars)
        lines.append(Line(found_line["text"], float(found_line["x0"]), float(found_line["x1"]),
                          float(found_line["top"]), float(found_line["bottom"]), float(sizes[len(sizes) // 2]), bold))
    return Page(number, float(page.width), float(page.height), lines, tables)


def is_table(block: Block) -> bool:
    """A ruled box with one column is a frame around text (a border, a boxed note), not a table."""
    filled = [sum(1 for c in row if c) for row in block.rows]
    return len(block.rows) >= 2 and sum(n >= 2 for n in filled) >= 2


def _inside(obj: dict, boxes: list) -> bool:
    x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)


def _without_footnote_markers(chars: list[dict]) -> list[dict]:
    """Drops small raised digits right after a body-size letter or stop: footnote markers, which
    otherwise stick to the word they follow ("ban hành1")."""
    if not chars:
        return chars
    sizes = sorted(c["size"] for c in chars)
    body = sizes[len(sizes) // 2]
    out = []
    prev_big = None
    for c in chars:
        small = c["size"] < 0.8 * body
        if small and c["text"] in "0123456789*,)" and prev_big is not None and c["bottom"] < prev_big["bottom"] - 0.15 * body \
                and abs(c["top"] - prev_big["top"]) < body:
            continue
        if not small:
            prev_big = c
        out.append(c)
    return out


def needs_ocr(page: Page) -> bool:
    """No text layer to speak of, or one that is not Vietnamese text."""
    text = "".join(ln.text for ln in page.lines)
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 20 and not page.tables:
        return True
    foreign = sum(ch in _FOREIGN for ch in text) + 5 * len(_CID.findall(text)) + 5 * text.count("\ufffd")
    return foreign > 0.03 * max(len(letters), 1)


def _ocr_page(pdf_page, page: Page) -> Page:
    image, scale = ocr.render(pdf_page)
    try:
        lines = ocr.ocr_lines(image, scale)
    finally:
        image.close()
        pdf_page.close()
    return Page(page.number, page.width, page.height, lines, [], ocr=True)


def _clean_title(title: str) -> str:
    """A PDF's Title field, unless it is the Word file name or a template's placeholder."""
    title = title.strip()
    if not title or re.search(r"\.(docx?|pdf)$", title, re.IGNORECASE) or title.lower() in {"untitled", "slide 1"}:
        return ""
    return title
