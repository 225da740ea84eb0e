"""Real report files, written by the tests: a DOCX with a table and a task list, a Word-like PDF,
a scan of it, and files that must be refused. Each through the real converters, the real index
and the real answerer."""
import io
import zipfile

import pytest

from rag.chain import open_pipeline
from rag.ingest.blocks import lay_out
from rag.ingest.clean import clean_blocks
from rag.ingest.convert import ConversionError, convert
from rag.evaluation.scans import char_error_rate, scan_pdf
from rag.ingest.converters import ocr
from rag.ingest.pipeline import ingest
from rag.retrieval.store import ReportStore
from rag.settings import Settings

from .documents import TABLE, TASKS, WRAPPED, docx_report, pdf_appendix_report, pdf_report, pdf_table_report


def _laid_out(path):
    return lay_out(clean_blocks(convert(path).blocks))


def test_docx_table_stays_in_place_and_each_row_names_its_columns(tmp_path):
    text, layout = _laid_out(docx_report(tmp_path / "r.docx"))
    row = "Kết nạp đảng viên mới — Kế hoạch năm: 260; Thực hiện 6 tháng: 143; Tỷ lệ (%): 55,0"
    assert row in text
    assert text.index("I. KẾT QUẢ ĐẠT ĐƯỢC") < text.index(row) < text.index("II. NHIỆM VỤ TRỌNG TÂM")
    assert text.index(row) < text.index("TM. BAN THƯỜNG VỤ")  # not moved after the signature
    unit = layout.at(text.index(row))
    assert unit.kind == "table_row" and unit.section.endswith("I. KẾT QUẢ ĐẠT ĐƯỢC")


def test_docx_list_numbers_come_back_and_items_know_their_section(tmp_path):
    text, layout = _laid_out(docx_report(tmp_path / "r.docx"))
    for n, task in enumerate(TASKS, start=1):
        assert f"{n}. {task}" in text
        unit = layout.at(text.index(task))
        assert unit.kind == "list_item" and unit.section.endswith("II. NHIỆM VỤ TRỌNG TÂM 6 THÁNG CUỐI NĂM 2024")


def test_docx_merged_cell_once_and_nested_table_kept(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for c, head in enumerate(["Đơn vị", "Năm 2023", "Năm 2024"]):
        table.cell(0, c).text = head
    table.cell(1, 0).text = "Chi bộ A"
    merged = table.cell(1, 1).merge(table.cell(1, 2))
    merged.text = "Hoàn thành xuất sắc"
    table.cell(2, 0).text = "Chi bộ B"
    table.cell(2, 1).add_table(rows=1, cols=2).cell(0, 0).text = "Đảng viên mới 12"
    table.cell(2, 2).text = "Hoàn thành tốt"
    document.save(tmp_path / "m.docx")
    text, _ = _laid_out(tmp_path / "m.docx")
    assert text.count("Hoàn thành xuất sắc") == 1
    assert "Đảng viên mới 12" in text


@pytest.fixture(scope="module")
def docx_pipeline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docx")
    docx_report(folder / "bao-cao-6-thang.docx")
    settings = Settings.load(home=folder / "home")
    store = ReportStore.open(settings, create=True)
    result = ingest([folder], store, settings.lexical_dir, progress=False)
    assert result.files[0]["tables"] == 1 and result.files[0]["chunks"] >= 1
    return open_pipeline(settings, store)


def test_a_done_question_is_answered_from_the_table_not_the_target(docx_pipeline):
    answer = docx_pipeline.ask("Sáu tháng đầu năm 2024 đã kết nạp bao nhiêu đảng viên mới?")
    assert not answer.refused
    assert "143" in answer.answer and "150" not in answer.answer
    cited = answer.citations[0]
    assert cited.quote.startswith("Kết nạp đảng viên mới — ") and "Thực hiện 6 tháng" in answer.answer
    assert cited.section.endswith("I. KẾT QUẢ ĐẠT ĐƯỢC")


def test_a_plan_question_names_the_plan_column(docx_pipeline):
    answer = docx_pipeline.ask("Kế hoạch năm về cán bộ được bồi dưỡng lý luận chính trị là bao nhiêu?")
    assert "Kế hoạch năm: 120" in answer.answer and "134" not in answer.answer
    start, end = answer.citations[0].highlights[0]
    report = docx_pipeline.store.report(answer.citations[0].doc_id)
    assert report.text[start:end] == "120"


def test_a_section_list_question_is_answered_with_its_items_each_cited(docx_pipeline):
    answer = docx_pipeline.ask("Nhiệm vụ trọng tâm 6 tháng cuối năm 2024 gồm những gì?")
    assert [c.quote for c in answer.citations] == [f"{n}. {t}" for n, t in enumerate(TASKS, start=1)]
    assert "NHIỆM VỤ TRỌNG TÂM" not in answer.answer  # the items, not the heading


def test_pdf_lines_join_into_paragraphs_and_page_furniture_goes(tmp_path):
    raw = convert(pdf_report(tmp_path / "q.pdf"))
    text, layout = lay_out(clean_blocks(raw.blocks))
    assert raw.pages == 3 and raw.ocr_pages == ()
    assert WRAPPED + "." in text  # one paragraph, whole, its footnote marker taken out ("ban hành1.")
    assert "MỤC LỤC" not in text and "....." not in text  # the contents page
    assert "TRƯỜNG ĐẠI HỌC MẪU" not in text  # the running header
    assert not any(line.strip().isdigit() for line in text.split("\n"))  # page numbers
    unit = layout.at(text.index(WRAPPED))
    assert unit.page == 2 and unit.section.endswith("Điều 1. Phạm vi điều chỉnh")
    note = layout.at(text.index("Thông tư số 08/2022/TT-BGDĐT"))
    assert note.kind == "footnote"


@pytest.mark.skipif(not ocr.available(), reason="tesseract is not installed (make test installs it)")
def test_a_footnote_marker_in_a_pdf_table_header_is_taken_out(tmp_path):
    text, layout = _laid_out(pdf_table_report(tmp_path / "t.pdf"))
    row = "Vùng 6 — Chỉ tiêu: 76; Số nhập học: 75"
    assert row in text and "học1" not in text
    assert layout.at(text.index(row)).kind == "table_row"


def _ask_file(tmp_path, path, question: str):
    """Index one file in a fresh store, through the real pipeline, and ask it."""
    settings = Settings.load(home=tmp_path / "home")
    store = ReportStore.open(settings, create=True)
    ingest([path], store, settings.lexical_dir, progress=False)
    return open_pipeline(settings, store).ask(question)


def test_a_question_naming_two_columns_is_answered_with_both_cells(tmp_path):
    answer = _ask_file(tmp_path, pdf_table_report(tmp_path / "t.pdf"), "Vùng 6 có chỉ tiêu và số nhập học là bao nhiêu?")
    assert not answer.refused
    assert "Chỉ tiêu: 76; Số nhập học: 75" in answer.answer
    assert answer.citations[0].quote.startswith("Vùng 6 — ")


def test_a_scanned_pdf_is_read_by_ocr_and_says_so(tmp_path):
    scan = scan_pdf(pdf_report(tmp_path / "q.pdf"), tmp_path / "scan.pdf")
    raw = convert(scan)
    assert raw.ocr_pages == (1, 2, 3)
    text, layout = lay_out(clean_blocks(raw.blocks))
    assert "Phạm vi điều chỉnh" in text and "05/7/2025" in text
    assert layout.at(text.index("05/7/2025")).ocr
    paragraph = layout.at(text.index("Điều này quy định"))
    assert char_error_rate(WRAPPED + ".", text[paragraph.start : paragraph.end]) < 0.05  # read whole, joined


def test_a_docx_that_unpacks_to_gigabytes_is_refused_before_it_is_inflated(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b" " * 2**20
            for _ in range(300):
                member.write(chunk)
    (tmp_path / "bomb.docx").write_bytes(buffer.getvalue())
    assert (tmp_path / "bomb.docx").stat().st_size < 2 * 2**20
    with pytest.raises(ConversionError, match="unpacks to 300 MB"):
        convert(tmp_path / "bomb.docx")


def test_ocr_reads_digits_that_look_like_letters_inside_numbers_as_digits():
    header = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"
    words = ["giải", "nhì", "được", "cộng", "O,7S", "điểm;", "Mục", "I.1", "SO", "ngày", "25/4/2O20", "nộp", "180:000",
             "đồng,", "lúc", "10:30"]
    rows = [f"5\t1\t1\t1\t1\t{i}\t{100 * i}\t10\t80\t30\t90\t{w}" for i, w in enumerate(words)]
    line, = ocr.parse_tsv("\n".join([header, *rows]), scale=1.0)
    assert line.text == "giải nhì được cộng 0,75 điểm; Mục I.1 SO ngày 25/4/2020 nộp 180.000 đồng, lúc 10:30"


def test_appendix_rows_sit_under_their_group_row_across_pages(tmp_path):
    text, layout = _laid_out(pdf_appendix_report(tmp_path / "a.pdf"))
    assert "\n\n80\n\n" not in text and not text.rstrip().endswith("81")  # page numbers dropped
    row = "2 Yên Bái — Dự toán: 230; Quyết toán: 240"
    assert row in text
    section = layout.at(text.index(row)).section
    assert section.startswith("Phụ lục 02") and section.endswith(" › II Năm 2020")
    first = layout.at(text.index("2 Yên Bái — Dự toán: 200")).section
    assert first.endswith(" › I Năm 2019")
    assert layout.at(text.index("II Năm 2020")).section == section.rsplit(" › ", 1)[0]


def test_a_row_named_by_its_group_and_label_is_answered_with_its_cell(tmp_path):
    answer = _ask_file(tmp_path, pdf_appendix_report(tmp_path / "a.pdf"),
                       "Theo Phụ lục 02, năm 2020 tỉnh Yên Bái có quyết toán bao nhiêu?")
    assert not answer.refused
    assert answer.citations[0].quote.startswith("2 Yên Bái — Dự toán: 230")
    assert "240" in answer.answer and "200" not in answer.answer
