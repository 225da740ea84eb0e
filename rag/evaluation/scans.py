"""Scans made from text PDFs, for measuring OCR: each page rendered at a realistic dpi, turned a
little, speckled and blurred as a copier does, then saved as an image-only PDF. `baocao eval`
reads them like any user's scan; their text layer is what the OCR is scored against."""
from __future__ import annotations

import random
from pathlib import Path


def scan_pdf(source: Path, target: Path, dpi: int = 200, angle: float = 0.7, speckles: int = 4000,
             seed: int = 7) -> Path:
    import pypdfium2
    from PIL import ImageFilter

    rng = random.Random(seed)
    pages = []
    document = pypdfium2.PdfDocument(str(source))
    for page in document:
        image = page.render(scale=dpi / 72, grayscale=True).to_pil().rotate(angle, fillcolor=255)
        pixels = image.load()
        for _ in range(speckles):
            pixels[rng.randrange(image.width), rng.randrange(image.height)] = rng.choice((0, 255))
        pages.append(image.filter(ImageFilter.GaussianBlur(0.4)).convert("RGB"))
        page.close()
    document.close()
    target.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(target, save_all=True, append_images=pages[1:], resolution=dpi)
    return target


def char_error_rate(reference: str, read: str) -> float:
    """Levenshtein distance over characters (spaces collapsed), divided by the reference's length."""
    a, b = " ".join(reference.split()), " ".join(read.split())
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] / max(len(a), 1)
