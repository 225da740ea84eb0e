"""Make the scan corpus of eval/reports-pdf/scans.jsonl and measure OCR against the text layer.

    python eval/make_scans.py ../shared/corpora/reports-pdf/docs .cache/scans [--measure]

writes .cache/scans/docs/scan_<name>.pdf (image-only, 200 dpi, turned 0.7°, speckled) for the
short PDFs the scan questions are about, then prints a table: pages, seconds a page of OCR,
peak memory, and the character error rate of each page against the original's text layer
(with --measure: that OCRs every page once more, ~3 s a page).
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.evaluation.scans import char_error_rate, scan_pdf  # noqa: E402

# Two are set in a handwriting-like font (Segoe Print), two in Times New Roman, as signed documents are.
SCANNED = ["pus_gioi_thieu.pdf", "pus_ThongBaoTuyenSinh2025.pdf", "pus_de_an_tuyen_sinh_2023.pdf",
           "pus_Thông báo xét tuyển bổ sung chỉ tiêu tuyển sinh đại học văn bằng 2 tuyển mới trong CAND năm 2025.docx.pdf"]


def page_texts(path: Path) -> list[str]:
    import pdfplumber  # the reference: the plain text layer, as the PDF converter reads it

    with pdfplumber.open(path) as pdf:
        return [p.extract_text(x_tolerance=1.5) or "" for p in pdf.pages]


def main(source: Path, out: Path, measure: bool) -> None:
    import pypdfium2

    from rag.ingest.converters import ocr

    rows = []
    for name in SCANNED:
        original = source / name
        target = out / "docs" / f"scan_{name}"
        if not target.exists():  # made once: the same bytes keep the eval's OCR'd index
            scan_pdf(original, target)
        if not measure:
            continue
        reference = page_texts(original)
        document = pypdfium2.PdfDocument(str(target))
        for number, page in enumerate(document, start=1):
            started = time.perf_counter()
            image, scale = ocr.render(page)
            lines = ocr.ocr_lines(image, scale)
            seconds = time.perf_counter() - started
            read = "\n".join(line.text for line in lines)
            rows.append((name[:40], number, seconds, char_error_rate(reference[number - 1], read)))
        document.close()
    if not measure:
        print(f"scans in {out / 'docs'}")
        return
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("| file | page | OCR s | CER |\n|---|---|---|---|")
    for name, number, seconds, cer in rows:
        print(f"| {name} | {number} | {seconds:.1f} | {cer:.3f} |")
    seconds = sorted(r[2] for r in rows)
    cers = sorted(r[3] for r in rows)
    print(f"\n{len(rows)} pages: OCR median {seconds[len(seconds) // 2]:.1f} s/page, CER median {cers[len(cers) // 2]:.3f}, "
          f"mean {sum(cers) / len(cers):.3f}; tesseract peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--measure"]
    main(Path(args[0] if args else "../shared/corpora/reports-pdf/docs"),
         Path(args[1] if len(args) > 1 else ".cache/scans"), "--measure" in sys.argv)
