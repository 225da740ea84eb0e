import pytest

from rag.ingest.convert import ConversionError, convert

TEXT = "Hội nghị giao ban công tác tổ chức xây dựng Đảng tại TP. Nha Trang."


def _pdf_bytes(text: str) -> bytes:
    """A minimal one-page PDF with one line of (ASCII) text, built by hand."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_txt_and_md(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.md").write_text(f"# Báo cáo quý\n\n{TEXT}", encoding="utf-8")
    assert convert(tmp_path / "a.txt").text == TEXT
    md = convert(tmp_path / "b.md")
    assert md.doc_id == "b" and md.title_hint == "Báo cáo quý" and TEXT in md.text


def test_html_drops_scripts_and_navigation(tmp_path):
    page = (f"<html><head><title>Tin tức</title><script>alert(1)</script></head><body>"
            f"<nav>Trang chủ | Liên hệ</nav><article><p>{TEXT}</p></article><footer>© báo</footer></body></html>")
    (tmp_path / "c.html").write_text(page, encoding="utf-8")
    raw = convert(tmp_path / "c.html")
    assert TEXT in raw.text and "alert" not in raw.text and "Trang chủ" not in raw.text
    assert raw.title_hint == "Tin tức"


def test_docx(tmp_path):
    import docx

    document = docx.Document()
    document.core_properties.title = "Báo cáo"
    document.add_paragraph(TEXT)
    document.save(tmp_path / "d.docx")
    raw = convert(tmp_path / "d.docx")
    assert TEXT in raw.text and raw.title_hint == "Báo cáo"


def test_pdf(tmp_path):
    (tmp_path / "e.pdf").write_bytes(_pdf_bytes("Hoi nghi giao ban tai Nha Trang"))
    assert "Hoi nghi giao ban tai Nha Trang" in convert(tmp_path / "e.pdf").text


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.txt", b"", "empty"),
        ("invalid.txt", b"H\xe1\xbb\x99i ngh\x81", "neither UTF-8 nor Windows-1258"),
        ("broken.pdf", b"%PDF-1.4 this is not a pdf", "cannot parse"),
        ("broken.docx", b"PK not a zip", "cannot parse"),
        ("notes.rtf", b"{\\rtf1 hello}", "unsupported"),
    ],
)
def test_unreadable_files_say_why(tmp_path, name, content, reason):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ConversionError, match=reason):
        convert(tmp_path / name)
