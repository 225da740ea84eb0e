"""Memory and time of reading one very large file: a 1,000-page text PDF and a PDF of huge page images.

    python eval/bench_big_files.py [--pages 1000] [--out .cache/bench-big]

Makes the files (reportlab, Pillow), then converts each in a fresh process (`rag.ingest.convert`)
and prints pages, seconds and peak memory (the process and its Tesseract children). The issue's
bound: < 1 GB for any single file, pages streamed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core
PARAGRAPH = ("Ủy ban nhân dân tỉnh đã chỉ đạo các sở, ngành rà soát kế hoạch vốn đầu tư công, bảo đảm "
             "giải ngân đúng tiến độ và công khai kết quả thực hiện đến từng địa phương trong năm. ")

MEASURE = """
import json, resource, sys, time
from rag.ingest.convert import convert
started = time.perf_counter()
report = convert(sys.argv[1])
seconds = time.perf_counter() - started
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"pages": report.pages, "ocr_pages": report.ocr_pages, "chars": len(report.text),
                  "seconds": round(seconds, 1), "peak_mb": round(own), "ocr_peak_mb": round(children)}))
"""


def long_pdf(path: Path, pages: int) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", str(FONT)))
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    words = (PARAGRAPH * 3).split()
    for number in range(1, pages + 1):
        c.setFont("DejaVu", 12)
        c.drawString(72, height - 80, f"Mục {number}. Kết quả thực hiện")
        y, line = height - 110, []
        for word in words:
            line.append(word)
            if len(" ".join(line)) > 80:
                c.drawString(72, y, " ".join(line))
                y, line = y - 16, []
        c.drawString(72, y, " ".join(line))
        c.drawCentredString(width / 2, 30, str(number))
        c.showPage()
    c.save()
    return path


def huge_image_pdf(path: Path, pages: int = 2, size: tuple[int, int] = (9000, 12700)) -> Path:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 120)
    images = []
    for number in range(pages):
        image = Image.new("L", size, 255)
        draw = ImageDraw.Draw(image)
        for row in range(40):
            draw.text((400, 400 + row * 300), f"Trang {number + 1}, dòng {row + 1}: kế hoạch vốn đầu tư công", font=font)
        images.append(image)
    images[0].save(path, save_all=True, append_images=images[1:], resolution=100)  # a 90 x 127 inch page: capped when rendered
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path(".cache/bench-big"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = [long_pdf(args.out / f"long-{args.pages}.pdf", args.pages), huge_image_pdf(args.out / "huge-images.pdf")]
    print("| file | MB | pages | OCR'd | characters | seconds | peak MB | Tesseract peak MB |\n|---|---|---|---|---|---|---|---|")
    for path in files:
        done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"| {path.name} | failed: {done.stderr.strip().splitlines()[-1:]} |")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"| {path.name} | {path.stat().st_size / 1e6:.1f} | {r['pages']} | {len(r['ocr_pages'])} | {r['chars']:,} "
              f"| {r['seconds']} | {r['peak_mb']} | {r['ocr_peak_mb']} |")


if __name__ == "__main__":
    main()
