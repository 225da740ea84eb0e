"""Odd files in a folder to index, as users have them: each one skipped with a message naming
it (or read, when it is text in another encoding), the rest of the batch indexed, and nothing
written outside the data folder. Run through the `baocao` console script, as a user would."""
from __future__ import annotations

import io
import json
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest

from .conftest import SEEDS
from .test_cli import run
from .test_convert import _pdf_bytes

GOOD = "000_1f9fa2e96ddb3942.txt"
LEGACY = "Hội nghị tổng kết công tác dân vận tỉnh Lâm Viên.\n\nĐồng chí Trần Văn Bảo phát biểu khai mạc.\n"


def _cp1258(text: str) -> bytes:
    """Vietnamese in Windows-1258: a base letter (with its circumflex, breve or horn) and a
    combining tone mark, as that code page writes it."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
            shape = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
            out += (shape + "".join(tones)).encode("cp1258")
    return bytes(out)


def _pdf_with(change) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(_pdf_bytes("Hoi nghi giao ban tai Nha Trang"))))
    change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)  # what a scan without a text layer gives
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("photo.jpg", b"\xff\xd8\xff not a document")
    return buffer.getvalue()


# name -> (content, what the message says); None: the file is read
BAD = {
    "empty.txt": (b"", "file is empty"),
    "binary.txt": (bytes(range(256)) * 64, "binary content"),
    "invalid.txt": (b"H\xe1\xbb\x99i ngh\x81\x8d\x90 \xc3", "neither UTF-8 nor Windows-1258"),
    "huge.txt": (b"a" * (50 * 2**20), "file too large"),
    "truncated.pdf": (_pdf_bytes("Hoi nghi giao ban")[:180], "cannot parse .pdf"),
    "encrypted.pdf": (None, "PDF is encrypted"),
    "scanned.pdf": (None, "no text could be extracted"),
    "photos.docx": (_zip(), "cannot parse .docx"),
}
READ = {
    "utf16.txt": LEGACY.encode("utf-16"),  # with its BOM
    "windows1258.txt": _cp1258(LEGACY),
    "a; rm -rf ~ $(id) `x`.txt": LEGACY.replace("Lâm Viên", "Hòa Lộc").encode(),  # shell characters in the name
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """A folder of odd files, one good report, and a link out of the folder; ingested once."""
    root = tmp_path_factory.mktemp("bad-files")
    folder, outside, home = root / "reports", root / "outside", root / "home"
    folder.mkdir(), outside.mkdir()
    shutil.copy(SEEDS / GOOD, folder / GOOD)
    contents = {**{n: c for n, (c, _) in BAD.items()}, **READ}
    contents["encrypted.pdf"] = _pdf_with(lambda w: w.encrypt(user_password="mật khẩu"))
    contents["scanned.pdf"] = _blank_pdf()
    for name, content in contents.items():
        (folder / name).write_bytes(content)
    (outside / "secret.txt").write_text("Mật khẩu của máy chủ là 1234.", encoding="utf-8")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    before = sorted(p.relative_to(root) for p in root.rglob("*") if not p.is_relative_to(home))
    result = run("ingest", str(folder), "--json", home=home)
    after = sorted(p.relative_to(root) for p in root.rglob("*") if not p.is_relative_to(home))
    return result, folder, home, before, after


def test_each_bad_file_is_named_with_its_reason_and_the_rest_is_indexed(batch):
    result, folder, home, _, _ = batch
    assert result.returncode == 3, result.stderr  # 3: some files were skipped
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout)
    skipped = {Path(s["path"]).name: s["reason"] for s in summary["skipped"]}
    for name, (_, reason) in BAD.items():
        assert reason in skipped.get(name, ""), (name, skipped.get(name))
    assert "outside" in skipped["link.txt"]
    assert sorted(summary["added"]) == sorted([Path(GOOD).stem, "utf16", "windows1258", "a; rm -rf ~ $(id) `x`"])


def test_text_in_other_encodings_reads_as_the_same_vietnamese(batch):
    _, _, home, _, _ = batch
    for doc_id in ("utf16", "windows1258"):
        shown = run("show", doc_id, home=home)
        assert shown.returncode == 0 and "Hội nghị tổng kết công tác dân vận tỉnh Lâm Viên" in shown.stdout
    answer = json.loads(run("ask", "Ai phát biểu khai mạc hội nghị tổng kết công tác dân vận tỉnh Hòa Lộc?",
                            "--json", home=home).stdout)
    assert not answer["refused"] and answer["citations"][0]["doc_id"] == "a; rm -rf ~ $(id) `x`"


def test_nothing_is_written_outside_the_data_folder_and_the_link_is_not_read(batch):
    _, _, home, before, after = batch
    assert before == after  # the reports folder and its surroundings are as they were
    listed = run("reports", "--json", home=home).stdout
    assert "secret" not in listed and "1234" not in listed


def test_a_path_through_dot_dot_names_the_same_report(batch):
    _, folder, home, _, _ = batch
    result = run("ingest", f"{folder}/../{folder.name}/{GOOD}", "--json", home=home)
    assert result.returncode == 0 and json.loads(result.stdout)["unchanged"] == [Path(GOOD).stem]
