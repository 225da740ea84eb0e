"""Plain text and Markdown: a block a line (what scraped reports are), numbered lines as headings
and list items, `#` lines as headings."""
from __future__ import annotations

import codecs
import re

from rag.ingest.blocks import Block
from rag.ingest.structure import classify

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*$")


def read_text(data: bytes, **_) -> "Converted":
    from rag.ingest.convert import ConversionError, Converted

    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConversionError("binary content, not text")
    text = decode(data)
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\n\r\f")
    if controls > max(2, len(text) // 100):  # NUL bytes, or bytes that only a binary file has
        raise ConversionError("binary content, not text")
    blocks, title = [], ""
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            continue
        heading = _MD_HEADING.match(line.strip())
        if heading:
            title = title or heading.group(2).strip()
            blocks.append(Block("heading", heading.group(2).strip(), level=len(heading.group(1))))
        else:
            blocks.append(classify(line))
    return Converted(blocks, title)


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), UTF-16 with its BOM, or else Windows-1258, the legacy
    Vietnamese code page of older Office exports."""
    from rag.ingest.convert import ConversionError

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
