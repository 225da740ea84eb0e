"""Files -> raw text: .txt, .md, .html/.htm, .pdf, .docx, each with a well-kept library."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class ConversionError(Exception):
    """A file that cannot be read; the message names the reason."""


@dataclass(frozen=True)
class RawReport:
    doc_id: str
    path: str
    text: str
    title_hint: str = ""


def convert(path: str | Path, max_bytes: int | None = None) -> RawReport:
    """The text of one report file; `ConversionError` says why a file cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise ConversionError(f"unsupported file type {suffix or '(none)'}; supported: {', '.join(SUPPORTED)}")
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise ConversionError(f"file too large ({size / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB, "
                                  "setting max_file_mb)")
        data = path.read_bytes()
    except OSError as exc:
        raise ConversionError(f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise ConversionError("file is empty")
    reader = {".pdf": _pdf, ".docx": _docx, ".html": _html, ".htm": _html}.get(suffix, _plain)
    try:
        text, title = reader(data)
    except ConversionError:
        raise
    except Exception as exc:  # parsers raise many types for corrupt input
        raise ConversionError(f"cannot parse {suffix} file: {exc}") from exc
    if not text.strip():
        raise ConversionError("no text could be extracted")
    return RawReport(doc_id=path.stem, path=str(path), text=text, title_hint=title)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with its BOM, or else Windows-1258, the legacy
    Vietnamese code page of older Office exports."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ConversionError(f"broken UTF-16 text (byte {exc.start})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            return data.decode("cp1258")
        except UnicodeDecodeError:
            raise ConversionError(f"neither UTF-8 nor Windows-1258 text (byte {exc.start})") from exc


def _plain(data: bytes) -> tuple[str, str]:
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConversionError("binary content, not text")
    text = _decode(data)
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    if controls > max(2, len(text) // 100):  # NUL bytes, or bytes that only a binary file has
        raise ConversionError("binary content, not text")
    match = re.match(r"\s*#\s+(.+)", text)  # a Markdown heading names the report
    return text, match.group(1).strip() if match else ""


def _html(data: bytes) -> tuple[str, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "head"]):
        tag.decompose()
    return soup.get_text("\n"), title


def _pdf(data: bytes) -> tuple[str, str]:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ConversionError("PDF is encrypted")
    pages = [page.extract_text() or "" for page in reader.pages]
    title = (reader.metadata.title or "") if reader.metadata else ""
    return "\n\n".join(pages), title


def _docx(data: bytes) -> tuple[str, str]:
    import io

    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n\n".join(parts), document.core_properties.title or ""
