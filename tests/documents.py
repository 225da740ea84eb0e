"""Report files written by the tests: a DOCX report with a table of figures and a task list, and
a Word-like PDF (running header, page numbers, wrapped lines, a footnote, a contents page)."""
from __future__ import annotations

from pathlib import Path

TABLE = [
    ("Chỉ tiêu", "Kế hoạch năm", "Thực hiện 6 tháng", "Tỷ lệ (%)"),
    ("Kết nạp đảng viên mới", "260", "143", "55,0"),
    ("Cán bộ được bồi dưỡng lý luận chính trị", "120", "134", "111,7"),
    ("Tổ chức cơ sở đảng được kiểm tra", "95", "91", "95,8"),
]
TASKS = [
    "Phấn đấu kết nạp 150 đảng viên mới trong 6 tháng cuối năm.",
    "Tổ chức đại hội chi bộ nhiệm kỳ 2025 - 2027 đúng tiến độ.",
    "Tăng cường kiểm tra, giám sát việc thực hiện nghị quyết ở cơ sở.",
]


def docx_report(path: Path) -> Path:
    """Title, "I."/"II." sections, a table of figures between them, a numbered task list, a signature."""
    import docx

    document = docx.Document()
    document.add_paragraph("BÁO CÁO KẾT QUẢ CÔNG TÁC XÂY DỰNG ĐẢNG 6 THÁNG ĐẦU NĂM 2024", style="Title")
    document.add_paragraph("I. KẾT QUẢ ĐẠT ĐƯỢC")
    document.add_paragraph("Sáu tháng đầu năm 2024, công tác xây dựng Đảng của Đảng bộ đạt nhiều kết quả quan trọng, "
                           "các chỉ tiêu chủ yếu được thực hiện theo kế hoạch.")
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for r, row in enumerate(TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("II. NHIỆM VỤ TRỌNG TÂM 6 THÁNG CUỐI NĂM 2024")
    for task in TASKS:
        document.add_paragraph(task, style="List Number")
    document.add_paragraph("TM. BAN THƯỜNG VỤ")
    document.add_paragraph("BÍ THƯ")
    document.add_paragraph("Trần Minh Quang")
    document.save(path)
    return path


def font() -> str:
    import matplotlib

    return str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


WRAPPED = ("Điều này quy định việc tổ chức thi tuyển sinh đại học chính quy của nhà trường theo hình thức "
           "tập trung, áp dụng cho thí sinh đã tốt nghiệp trung học phổ thông và có đủ sức khỏe theo quy định "
           "hiện hành của Bộ Công an ban hành")


def pdf_report(path: Path) -> Path:
    """Three pages as Word exports them: a contents page with dot leaders, then pages with a
    running header, a page number, a heading, a paragraph wrapped over lines, a footnote."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", font()))
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)

    def furniture(number: int) -> None:
        c.setFont("DejaVu", 9)
        c.drawString(72, height - 40, "TRƯỜNG ĐẠI HỌC MẪU - QUY CHẾ TUYỂN SINH")
        c.drawCentredString(width / 2, 30, str(number))

    furniture(1)
    c.setFont("DejaVu", 14)
    c.drawString(72, height - 90, "MỤC LỤC")
    c.setFont("DejaVu", 12)
    for i, entry in enumerate(["Chương I. Quy định chung", "Điều 1. Phạm vi điều chỉnh", "Điều 2. Tổ chức thi",
                               "Chương II. Tổ chức thực hiện"]):
        c.drawString(72, height - 130 - 22 * i, f"{entry} {'.' * 60} {i + 2}")
    c.showPage()
    for number, (heading, body) in enumerate([("Điều 1. Phạm vi điều chỉnh", WRAPPED),
                                              ("Điều 2. Tổ chức thi", "Kỳ thi được tổ chức vào ngày 05/7/2025 tại "
                                               "các điểm thi của nhà trường. Thí sinh có mặt trước 30 phút.")], 2):
        furniture(number)
        c.setFont("DejaVu", 12)
        c.drawString(72, height - 90, "Chương I. QUY ĐỊNH CHUNG")
        c.drawString(72, height - 120, heading)
        y, line = height - 150, ""
        for word in body.split():  # wrap at the right margin, as Word does
            if c.stringWidth(f"{line} {word}".strip(), "DejaVu", 12) > width - 144:
                c.drawString(72, y, line)
                y, line = y - 16, word
            else:
                line = f"{line} {word}".strip()
        c.drawString(72, y, line)
        if number == 2:  # a footnote marker after the last word, then its footnote at the foot
            end = 72 + c.stringWidth(line, "DejaVu", 12)
            c.setFont("DejaVu", 7)
            c.drawString(end + 1, y + 5, "1")
            c.setFont("DejaVu", 12)
            c.drawString(end + 1 + c.stringWidth("1", "DejaVu", 7), y, ".")
            c.setFont("DejaVu", 9)
            c.drawString(72, 60, "1 Thông tư số 08/2022/TT-BGDĐT ngày 06/6/2022.")
        c.showPage()
    c.save()
    return path


QUOTA = [("Vùng", "Chỉ tiêu", "Số nhập học"), ("Vùng 5", "39", "39"), ("Vùng 6", "76", "75")]


def pdf_table_report(path: Path) -> Path:
    """A page with a ruled table whose header cell carries a raised footnote marker ("Số nhập học¹"),
    as Word exports it, and the footnote at the foot of the page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", font()))
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("DejaVu", 12)
    c.drawString(72, height - 90, "Thông tin tuyển sinh năm 2023 của các vùng như sau.")
    xs, top, row_h = [72, 222, 332, 482], height - 120, 24
    c.grid(xs, [top - row_h * i for i in range(len(QUOTA) + 1)])
    for r, row in enumerate(QUOTA):
        for col, value in enumerate(row):
            x, y = xs[col] + 6, top - row_h * r - 16
            c.setFont("DejaVu", 12)
            c.drawString(x, y, value)
            if r == 0 and col == 2:  # the footnote marker, small and raised after the header
                c.setFont("DejaVu", 7)
                c.drawString(x + c.stringWidth(value, "DejaVu", 12) + 1, y + 5, "1")
    c.setFont("DejaVu", 9)
    c.drawString(72, 60, "1 Số thí sinh đã nhập học đến ngày 30/9/2023.")
    c.showPage()
    c.save()
    return path


SETTLED = [("STT", "Tỉnh", "Dự toán", "Quyết toán"),
           ("I", "Năm 2019", "300", "310"), ("1", "Lào Cai", "100", "110"), ("2", "Yên Bái", "200", "200"),
           ("II", "Năm 2020", "350", "365"), ("1", "Lào Cai", "120", "125")]
SETTLED_NEXT_PAGE = [SETTLED[0], ("2", "Yên Bái", "230", "240")]


def pdf_appendix_report(path: Path) -> Path:
    """An appendix on landscape pages, as audit reports end: "Phụ lục 02" over a ruled table whose
    group rows ("II Năm 2020") head the provinces' rows, the table going on over the next page
    under its repeated header, and a page number low in the short bottom margin."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", font()))
    width, height = landscape(A4)
    c = canvas.Canvas(str(path), pagesize=(width, height))
    for page, rows in enumerate((SETTLED, SETTLED_NEXT_PAGE), start=80):
        c.setFont("DejaVu", 12)
        if page == 80:
            c.drawString(72, height - 70, "Phụ lục 02 Biểu tổng hợp quyết toán kinh phí của các tỉnh")
        xs, top, row_h = [72, 132, 332, 482, 632], height - 100, 24
        c.grid(xs, [top - row_h * i for i in range(len(rows) + 1)])
        for r, row in enumerate(rows):
            for col, value in enumerate(row):
                c.drawString(xs[col] + 6, top - row_h * r - 16, value)
        c.drawString(width / 2, 50, str(page))  # the page number, 50 pt above the edge
        c.showPage()
    c.save()
    return path
