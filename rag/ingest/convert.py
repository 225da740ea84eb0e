"""Files -> typed blocks: .txt, .md, .html/.htm, .pdf, .docx, one converter each in `converters/`."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rag.ingest.blocks import Block

SUPPORTED = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class ConversionError(Exception):
    """A file that cannot be read; the message names the reason."""


@dataclass
class Converted:
    """What a converter read from one file: blocks in reading order, and what happened on the way."""
    blocks: list[Block]
    title: str = ""
    pages: int = 0  # 0 where a format has no pages
    ocr_pages: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "page 7: no text", "table 3 could not be read"


@dataclass(frozen=True)
class RawReport:
    doc_id: str
    path: str
    blocks: tuple[Block, ...]
    title_hint: str = ""
    pages: int = 0
    ocr_pages: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The blocks' text, a line each (tables as their row lines): for looking, not for citing."""
        from rag.ingest.blocks import block_lines

        return "\n".join(line for b in self.blocks for line, _ in block_lines(b))

    @property
    def tables(self) -> int:
        return sum(b.kind == "table" for b in self.blocks)


def convert(path: str | Path, max_bytes: int | None = None, progress: bool = False) -> RawReport:
    """The blocks of one report file; `ConversionError` says why a file cannot be read."""
    from rag.ingest.converters import READERS

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
    reader = READERS[suffix]
    try:
        got = reader(data, progress=progress, name=path.name)
    except (ConversionError, MemoryError):
        raise
    except Exception as exc:  # parsers raise many types for corrupt input
        raise ConversionError(f"cannot parse {suffix} file: {exc}") from exc
    if not any(b.text.strip() or b.rows for b in got.blocks):
        raise ConversionError("; ".join(got.warnings) or "no text could be extracted")
    return RawReport(path.stem, str(path), tuple(got.blocks), got.title, got.pages, tuple(got.ocr_pages),
                     tuple(got.warnings))
