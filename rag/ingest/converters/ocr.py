"""Page images -> positioned lines, with Tesseract's Vietnamese model (Debian's `tesseract-ocr` and
`tesseract-ocr-vie`), so a scan goes through the same line joiner as a PDF's text layer.

Pages are rendered with pypdfium2 at 200 dpi (Tesseract reads Vietnamese diacritics well from 200
up; 300 doubles the time for little gain), capped in pixels so a page of huge images costs no more
memory than a large poster page.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import defaultdict

from rag.ingest.converters.lines import Line

DPI = 200
MAX_PIXELS = 40_000_000  # ~ an A2 page at 200 dpi; larger pages are rendered smaller
TIMEOUT_S = 120  # one page
# Tesseract's OpenMP threads fight over few cores: one thread reads a page here in 3.0 s, the
# default in 8.5 s (2 cores, measured by eval/make_scans.py --measure).
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


class OcrUnavailable(RuntimeError):
    pass


def available() -> bool:
    return shutil.which("tesseract") is not None


def render(pdf_page, dpi: int = DPI):
    """A PIL image of a pypdfium2 page, in grey, at `dpi` (less for a huge page)."""
    width, height = pdf_page.get_size()
    scale = dpi / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
    return pdf_page.render(scale=scale, grayscale=True).to_pil(), scale


def ocr_lines(image, scale: float, language: str = "vie") -> list[Line]:
    """The lines Tesseract reads on an image, in page points (`scale` pixels a point)."""
    import io

    if not available():
        raise OcrUnavailable("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    try:
        done = subprocess.run(["tesseract", "stdin", "stdout", "-l", language, "--dpi", str(round(72 * scale)),
                               "--psm", "3", "tsv"], input=buffer.getvalue(), capture_output=True,
                              timeout=TIMEOUT_S, check=False, env=_ENV)
    except subprocess.TimeoutExpired as exc:
        raise OcrUnavailable(f"OCR took longer than {TIMEOUT_S} s") from exc
    if done.returncode != 0:
        raise OcrUnavailable(done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or "tesseract failed")
    return parse_tsv(done.stdout.decode("utf-8", "replace"), scale)


# Tesseract reads a digit as the letter it looks like inside a number ("O,7S" for "0,75", "1,O"):
# in a word made of digits, separators and those letters, with a digit and a separator, they are digits.
# (Not "I": "I.1" is a heading number.)
_LOOKALIKE_DIGITS = str.maketrans("OoØSl", "00051")
_NUMBER_LIKE = re.compile(r"(?=[^\d]*\d)[\dOoØSl]+(?:[.,/][\dOoØSl]+)+[.,;:)]?")


_THOUSANDS_COLON = re.compile(r"\d{1,3}(?::\d{3})+[.,;)]?")  # "180:000" is "180.000" (a time has two digits)


def _digits_in_numbers(word: str) -> str:
    if _THOUSANDS_COLON.fullmatch(word):
        return word.replace(":", ".")
    if not _NUMBER_LIKE.fullmatch(word):
        return word
    return word.translate(_LOOKALIKE_DIGITS)


def parse_tsv(tsv: str, scale: float) -> list[Line]:
    words: dict[tuple[int, int, int], list[tuple[int, int, int, int, str]]] = defaultdict(list)
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            left, top, width, height, conf = (int(float(c)) for c in cols[6:11])
        except ValueError:
            continue
        if conf < 0:
            continue
        words[(int(cols[2]), int(cols[3]), int(cols[4]))].append((left, top, width, height, _digits_in_numbers(cols[11])))
    lines = []
    for (block, par, _), found in words.items():
        found.sort()
        heights = sorted(h for *_, h, _ in found)
        lines.append(Line(
            text=" ".join(w for *_, w in found),
            x0=min(x for x, *_ in found) / scale,
            x1=max(x + w for x, _, w, _, _ in found) / scale,
            top=min(t for _, t, *_ in found) / scale,
            bottom=max(t + h for _, t, _, h, _ in found) / scale,
            size=heights[len(heights) // 2] / scale,
            group=f"{block}.{par}",
        ))
    lines.sort(key=lambda ln: (ln.top, ln.x0))
    return lines
