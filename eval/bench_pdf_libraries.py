"""Compare PDF text-extraction libraries on real Vietnamese PDFs (prints numbers; not a test).

    python eval/bench_pdf_libraries.py [DOCS_DIR] [--runs 3] [--slow-s 8] [--dump DIR]

DOCS_DIR defaults to ../shared/corpora/reports-pdf/docs (relative to the repository root); the PDFs
are read where they are and never copied. Needs, in the interpreter that runs it (a separate venv is
fine; the project itself does not depend on these): pypdf, pdfplumber, pypdfium2, pdfminer.six.
PyMuPDF is deliberately not measured (AGPL).

Extractors (each timed whole-file: open + every page):
  pypdf            PdfReader(path).pages[i].extract_text()
  pdfplumber       page.extract_text()
  pdfplumber-xt1.5 page.extract_text(x_tolerance=1.5) (the default 3 glues words in PDFs that draw
                   no space glyphs, e.g. the Google Docs export pus_de_an_tuyen_sinh_2023.pdf)
  pdfplumber-words page.extract_words() + page.find_tables() (text = words joined by spaces)
  pypdfium2        page.get_textpage().get_text_bounded()   (its \\r\\n is folded to \\n)
  pdfminer         extract_text with default LAParams, page by page (one pass over the file with
                   a TextConverter per page == extract_text(path, page_numbers=[i]); the trailing
                   form feed is stripped)

Per library and file: pages, chars, seconds (median of --runs; a single run where the first run
already took more than --slow-s seconds), pages/s. Fidelity over the extracted text:
  nfc_pages   pages whose text == unicodedata.normalize('NFC', text)
  comb        combining marks U+0300-036F left in the text (decomposed diacritics)
  letters     share of non-space characters that are letters (category L*)
  fffd/pua/ctl  U+FFFD, private use U+E000-F8FF, C0 controls other than \\n \\t
  syl         share of alphabetic tokens that are valid Vietnamese syllables (onset? + vowel
              cluster + coda?, at most one tone mark; foreign words and acronyms count as invalid,
              which is the same for every library, so compare the column, not its absolute level)
  tok_len     mean length of whitespace tokens
  glued       tokens with more than 15 letters (Vietnamese syllables have at most 7)
  split1      share of alphabetic tokens that are one letter long (signal of words split apart)
  lines       non-empty lines; words/line = whitespace tokens per non-empty line (a PDF line holds
              ~10-20 words; ~1 means the library broke every word onto its own line)
  tables      pdfplumber find_tables() count (pdfplumber-words only)
"""
from __future__ import annotations

import argparse
import io
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DOCS = REPO.parent / "shared" / "corpora" / "reports-pdf" / "docs"


# ---------------------------------------------------------------- extractors
def ex_pypdf(path: Path) -> tuple[list[str], int]:
    import pypdf

    reader = pypdf.PdfReader(path)
    return [p.extract_text() or "" for p in reader.pages], 0


def ex_pdfplumber(path: Path) -> tuple[list[str], int]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [p.extract_text() or "" for p in pdf.pages], 0


def ex_pdfplumber_xt(path: Path) -> tuple[list[str], int]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [p.extract_text(x_tolerance=1.5) or "" for p in pdf.pages], 0


def ex_pdfplumber_words(path: Path) -> tuple[list[str], int]:
    import pdfplumber

    texts, tables = [], 0
    with pdfplumber.open(path) as pdf:
        for p in pdf.pages:
            words = p.extract_words()
            tables += len(p.find_tables())
            texts.append(" ".join(w["text"] for w in words))
    return texts, tables


def ex_pypdfium2(path: Path) -> tuple[list[str], int]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            out.append(tp.get_text_bounded().replace("\r\n", "\n"))
            tp.close()
            page.close()
        return out, 0
    finally:
        doc.close()


def ex_pdfminer(path: Path) -> tuple[list[str], int]:
    from pdfminer.converter import TextConverter
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    out = []
    rsrc = PDFResourceManager(caching=True)
    with open(path, "rb") as fp:
        for page in PDFPage.get_pages(fp, caching=True):
            buf = io.StringIO()
            dev = TextConverter(rsrc, buf, codec="utf-8", laparams=LAParams())
            PDFPageInterpreter(rsrc, dev).process_page(page)
            dev.close()
            out.append(buf.getvalue().rstrip("\f"))
    return out, 0


EXTRACTORS = {
    "pypdf": ex_pypdf,
    "pdfplumber": ex_pdfplumber,
    "pdfplumber-xt1.5": ex_pdfplumber_xt,
    "pdfplumber-words": ex_pdfplumber_words,
    "pypdfium2": ex_pypdfium2,
    "pdfminer": ex_pdfminer,
}


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("pypdf", "pdfplumber", "pypdfium2", "pdfminer.six"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "missing"
    return out


# ---------------------------------------------------------------- fidelity
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
_V = "aăâeêioôơuưy"
SYLLABLE = re.compile(
    rf"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?[{_V}]{{1,3}}(?:ng|nh|ch|[cmnpt])?$"
)
ALPHA_TOKEN = re.compile(r"[^\W\d_]+")


def is_syllable(tok: str) -> bool:
    d = unicodedata.normalize("NFD", tok.lower())
    if sum(ch in TONES for ch in d) > 1:
        return False
    base = unicodedata.normalize("NFC", "".join(ch for ch in d if ch not in TONES))
    return bool(SYLLABLE.match(base))


def fidelity(pages: list[str]) -> dict:
    text = "\n".join(pages)
    nonspace = [c for c in text if not c.isspace()]
    letters = sum(unicodedata.category(c).startswith("L") for c in nonspace)
    ws_tokens = text.split()
    alpha = [t for t in ALPHA_TOKEN.findall(unicodedata.normalize("NFC", text))]
    return {
        "nfc_pages": sum(p == unicodedata.normalize("NFC", p) for p in pages),
        "comb": sum("\u0300" <= c <= "\u036f" for c in text),
        "letters": letters / max(1, len(nonspace)),
        "fffd": text.count("\ufffd"),
        "pua": sum("\ue000" <= c <= "\uf8ff" for c in text),
        "ctl": sum(ord(c) < 0x20 and c not in "\n\t" for c in text),
        "syl_ok": sum(map(is_syllable, alpha)),
        "alpha": len(alpha),
        "tok_chars": sum(map(len, ws_tokens)),
        "tokens": len(ws_tokens),
        "glued": sum(sum(c.isalpha() for c in t) > 15 for t in ws_tokens),
        "split1": sum(len(t) == 1 for t in alpha),
        "lines": sum(bool(ln.strip()) for ln in text.splitlines()),
    }


# ---------------------------------------------------------------- run
def measure(name: str, path: Path, runs: int, slow_s: float) -> dict:
    fn = EXTRACTORS[name]
    times = []
    t = time.perf_counter()
    pages, tables = fn(path)
    times.append(time.perf_counter() - t)
    n = 1 if times[0] > slow_s else runs
    for _ in range(n - 1):
        t = time.perf_counter()
        fn(path)
        times.append(time.perf_counter() - t)
    row = {"lib": name, "file": path.name, "pages": len(pages), "chars": sum(map(len, pages)),
           "secs": statistics.median(times), "runs": len(times), "tables": tables, "texts": pages}
    row.update(fidelity(pages))
    return row


def short(name: str, n: int = 34) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def print_tables(rows: list[dict], libs: list[str]) -> None:
    print("\n### Totals over the corpus (one row per library)\n")
    print("| library | pages | chars | seconds | pages/s | NFC pages | comb. marks | letters/non-space "
          "| U+FFFD | PUA | C0 ctl | VN syllable share | mean token len | glued >15 | 1-letter tokens "
          "| lines | words/line | tables |")
    print("|---|" + "---:|" * 17)
    for lib in libs:
        rs = [r for r in rows if r["lib"] == lib]
        tot = {k: sum(r[k] for r in rs) for k in ("pages", "chars", "secs", "nfc_pages", "comb",
                                                  "fffd", "pua", "ctl", "syl_ok", "alpha",
                                                  "tok_chars", "tokens", "glued", "split1", "lines",
                                                  "tables")}
        fid = fidelity([t for r in rs for t in r["texts"]])
        tables = str(tot["tables"]) if lib == "pdfplumber-words" else "–"
        print(f"| {lib} | {tot['pages']} | {tot['chars']:,} | {tot['secs']:.2f} | "
              f"{tot['pages'] / tot['secs']:.1f} | {tot['nfc_pages']}/{tot['pages']} | {tot['comb']} | "
              f"{fid['letters']:.3f} | {tot['fffd']} | {tot['pua']} | {tot['ctl']} | "
              f"{tot['syl_ok'] / max(1, tot['alpha']):.4f} | {tot['tok_chars'] / max(1, tot['tokens']):.2f} | "
              f"{tot['glued']} | {tot['split1'] / max(1, tot['alpha']):.4f} | {tot['lines']:,} | "
              f"{tot['tokens'] / max(1, tot['lines']):.1f} | {tables} |")

    print("\n### Speed and fidelity per library × file\n")
    print("| library | file | pages | chars | seconds | runs | pages/s | VN syllable share | glued >15 "
          "| U+FFFD/PUA/ctl | words/line | tables |")
    print("|---|---|" + "---:|" * 10)
    for r in rows:
        tables = str(r["tables"]) if r["lib"] == "pdfplumber-words" else "–"
        print(f"| {r['lib']} | {short(r['file'])} | {r['pages']} | {r['chars']:,} | {r['secs']:.3f} | "
              f"{r['runs']} | {r['pages'] / r['secs']:.1f} | {r['syl_ok'] / max(1, r['alpha']):.4f} | "
              f"{r['glued']} | {r['fffd']}/{r['pua']}/{r['ctl']} | {r['tokens'] / max(1, r['lines']):.1f} | "
              f"{tables} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("docs", nargs="?", type=Path, default=DEFAULT_DOCS)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--slow-s", type=float, default=8.0,
                    help="a file whose first run takes longer than this is timed once")
    ap.add_argument("--libs", default=",".join(EXTRACTORS), help="comma-separated subset")
    ap.add_argument("--dump", type=Path, help="write each library's text per file here (outside the repo)")
    args = ap.parse_args(argv)

    pdfs = sorted(args.docs.glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs in {args.docs}", file=sys.stderr)
        return 2
    libs = [x for x in args.libs.split(",") if x]
    print(f"versions: {versions()}; python {sys.version.split()[0]}; {len(pdfs)} PDFs in {args.docs}",
          file=sys.stderr)
    rows = []
    for lib in libs:
        t0 = time.perf_counter()
        for path in pdfs:
            rows.append(measure(lib, path, args.runs, args.slow_s))
            r = rows[-1]
            print(f"  {lib:17s} {short(r['file'], 40):40s} {r['pages']:3d} p {r['secs']:7.3f} s x{r['runs']}",
                  file=sys.stderr, flush=True)
            if args.dump:
                d = args.dump / lib
                d.mkdir(parents=True, exist_ok=True)
                (d / (path.stem + ".txt")).write_text(
                    "".join(f"\n===== page {i + 1} =====\n{t}" for i, t in enumerate(r["texts"])),
                    encoding="utf-8")
        print(f"{lib}: {time.perf_counter() - t0:.1f} s wall", file=sys.stderr, flush=True)
    print_tables(rows, libs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
