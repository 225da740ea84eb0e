import unicodedata

import pytest

from rag.text.normalize import canonical_tones, clean_unicode, fold, match_key, words
from rag.text.tokens import is_english, lexical_tokens, query_tokens


@pytest.mark.parametrize(
    "old, new",
    [("Thanh Hóa", "Thanh Hoá"), ("Ủy viên", "Uỷ viên"), ("hòa bình", "hoà bình"), ("Khánh Hòa", "Khánh Hoà"),
     ("thủy lợi", "thuỷ lợi"), ("khỏe", "khoẻ"), ("QUÝ", "QÚY")],
)
def test_both_tone_placements_have_one_match_key(old, new):
    assert match_key(old) == match_key(new)


def test_tone_canonicalization_leaves_closed_syllables_alone():
    assert canonical_tones("Hoàng Đăng Quang, thuyền") == "Hoàng Đăng Quang, thuyền"


def test_nfd_input_matches_nfc():
    nfd = unicodedata.normalize("NFD", "Huân chương Lao động")
    assert nfd != "Huân chương Lao động"
    assert clean_unicode(nfd) == "Huân chương Lao động"
    assert match_key(nfd) == match_key("huân chương lao động")


def test_nbsp_and_zero_width_become_plain():
    assert clean_unicode("Ngày\u00a019-12,\u200b tại\u202fTP.") == "Ngày 19-12, tại TP."


def test_fold_removes_every_diacritic_and_d_bar():
    assert fold("Đỗ Trọng Hưng, Uỷ viên") == "do trong hung, uy vien"


def test_words_keep_numbers_and_dates_whole():
    assert words("Thống kê: 1.983.610, ngày 11.7") == ["thống", "kê", "1.983.610", "ngày", "11.7"]


def test_tokens_let_a_query_without_diacritics_match():
    doc = set(lexical_tokens("Huân chương Lao động hạng Nhì"))
    query = query_tokens("huan chuong lao dong")
    assert query and all(t in doc for t in query)
    assert "lao_dong" in query  # the compound counts as a unit


def test_thi_dua_is_not_dropped_as_the_stopword_thi():
    assert "thi_dua" in lexical_tokens("Cụm thi đua số 2")
    assert "thi_dua" in query_tokens("cum thi dua so 2")


def test_english_detection_and_stopwords():
    assert is_english("Who chaired the conference in Thanh Hoa?")
    assert not is_english("Ai chủ trì hội nghị?")
    tokens = query_tokens("Who chaired the conference in Thanh Hoa?")
    assert "the" not in tokens and "thanh_hoa" in tokens
    assert "chu_tri" in tokens  # the glossary adds the Vietnamese term


def test_an_english_question_may_quote_vietnamese_names():
    assert is_english("How many audits has State Audit Office Region XIII (KTNN khu vực XIII) carried out since its founding?")
    assert is_english("According to Appendix 02 (Phụ lục 02), what was Yên Bái province's total settled amount in 2019?")
    assert not is_english("Theo Phụ lục 02, năm 2019 tỉnh Yên Bái có tổng quyết toán là bao nhiêu?")
    assert not is_english("Le phi so tuyen ma thi sinh phai nop la bao nhieu?")
