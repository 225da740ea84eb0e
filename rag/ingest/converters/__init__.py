"""One converter per format: bytes -> `Converted` (typed blocks in reading order)."""
from rag.ingest.converters.docx import read_docx
from rag.ingest.converters.html import read_html
from rag.ingest.converters.pdf import read_pdf
from rag.ingest.converters.text import read_text

READERS = {".txt": read_text, ".md": read_text, ".html": read_html, ".htm": read_html, ".pdf": read_pdf,
           ".docx": read_docx}
