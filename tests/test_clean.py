import pytest

from rag.ingest.clean import clean_text
from rag.ingest.metadata import extract_metadata


def test_site_chrome_and_visitor_counter_are_removed(seed_texts):
    text = seed_texts["003_838962f970cd0743"]
    for chrome in ("Liên kết website", "Lượt truy cập", "1.983.610", "Online: 147"):
        assert chrome not in text
    assert text.startswith("Chiều 22-6, tại TP Sầm Sơn")
    assert "(Nguồn:baothanhhoa.vn)" in text  # the source line is content, kept


def test_captions_repeated_twice_appear_once(seed_texts):
    assert seed_texts["001_94090ceb8c428316"].count("Quang cảnh tại hội nghị") == 1
    assert seed_texts["003_838962f970cd0743"].count("Các đại biểu dự hội nghị.") == 1


def test_a_lede_printed_again_as_the_next_paragraph_appears_once(seed_texts):
    assert seed_texts["001_94090ceb8c428316"].count("Ngày 19-12, tại TP. Nha Trang") == 1


def test_comment_and_related_links_tails_are_cut(seed_texts):
    assert "Ý kiến bạn đọc" not in seed_texts["002_37f2df06d8ddf81f"]
    assert "TIN LIÊN QUAN" not in seed_texts["004_aa4c518af7af5ae9"]
    assert seed_texts["004_aa4c518af7af5ae9"].endswith("( Báo Hà Tĩnh )")


def test_nbsp_lines_and_double_spaces_are_gone(seed_texts):
    for text in seed_texts.values():
        assert "\u00a0" not in text and "  " not in text and "\n\n\n" not in text


def test_cleaning_is_idempotent(seed_texts):
    for text in seed_texts.values():
        assert clean_text(text) == text


def test_seed_metadata(seed_texts):
    meta = {doc_id: extract_metadata(text) for doc_id, text in seed_texts.items()}
    assert meta["000_1f9fa2e96ddb3942"].date == "2019-06-26"
    assert meta["000_1f9fa2e96ddb3942"].place == "huyện Diễn Châu, Nghệ An"
    assert meta["001_94090ceb8c428316"].date == "2019-12-19"
    assert meta["001_94090ceb8c428316"].title.startswith("Cụm Thi đua số III")
    assert meta["001_94090ceb8c428316"].author == "HẢI LĂNG – NHÂN TÂM"
    assert (meta["002_37f2df06d8ddf81f"].date, meta["002_37f2df06d8ddf81f"].source) == ("2013-07-11", "HGĐT")
    assert meta["002_37f2df06d8ddf81f"].place == ""  # not stated: never invented
    assert (meta["003_838962f970cd0743"].source, meta["003_838962f970cd0743"].place) == ("baothanhhoa.vn", "TP Sầm Sơn")
    assert (meta["004_aa4c518af7af5ae9"].year, meta["004_aa4c518af7af5ae9"].date) == (2009, "")
    assert meta["004_aa4c518af7af5ae9"].source == "Báo Hà Tĩnh"


@pytest.mark.parametrize("lead, title", [
    # a report without a headline: its first sentence from the subject on, the time and place left out
    ("Sáng 12/4, tại huyện Hòa Lộc, Lâm Viên, Sở Y tế tổ chức hội nghị tổng kết công tác phòng dịch. Hội nghị diễn ra một ngày.",
     "Sở Y tế tổ chức hội nghị tổng kết công tác phòng dịch"),
    ("Chiều 3-5, tại TP Tân Lập, Hội Nông dân tỉnh tổ chức lễ trao giải.", "Hội Nông dân tỉnh tổ chức lễ trao giải"),
    ("Ban Dân vận vừa tổ chức hội nghị giao ban quý I năm 2021.", "Ban Dân vận vừa tổ chức hội nghị giao ban quý I năm 2021"),
    ("Theo báo cáo, tỉnh đã hoàn thành kế hoạch.", "Theo báo cáo, tỉnh đã hoàn thành kế hoạch"),  # not a time or place
    ("Hội nghị tổng kết công tác dân vận năm 2020", "Hội nghị tổng kết công tác dân vận năm 2020"),  # a headline
])
def test_a_report_without_a_headline_is_titled_by_its_subject(lead, title):
    assert extract_metadata(lead + "\n\nĐoạn sau.").title == title


def test_a_long_first_sentence_is_cut_between_words():
    lead = "Sáng 1/2, Ban Tuyên giáo " + "tổ chức hội nghị quán triệt nghị quyết " * 6 + "cho cán bộ."
    title = extract_metadata(lead).title
    assert title.startswith("Ban Tuyên giáo tổ chức") and title.endswith("…") and len(title) <= 121
    assert title[:-1] in lead  # whole words, nothing rewritten
