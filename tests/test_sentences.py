from rag.text.sentences import split, split_spans


def test_abbreviations_and_dates_do_not_end_sentences():
    text = ("Ngày 19-12, tại TP. Nha Trang, Cụm họp. Triển khai NQ T.Ư9 (khóa X) về cán bộ. "
            "Báo cáo các Nghị quyết T.W4 (khóa XI). HGĐT- Ngày 11.7, Cụm họp. Thống kê: 1.983.610 lượt.")
    assert split(text) == [
        "Ngày 19-12, tại TP. Nha Trang, Cụm họp.",
        "Triển khai NQ T.Ư9 (khóa X) về cán bộ.",
        "Báo cáo các Nghị quyết T.W4 (khóa XI).",
        "HGĐT- Ngày 11.7, Cụm họp.",
        "Thống kê: 1.983.610 lượt.",
    ]


def test_titles_of_people_are_not_sentence_ends():
    assert split("Ông TS. Nguyễn Văn A phát biểu. Bà ThS. Lê B nghe.") == [
        "Ông TS. Nguyễn Văn A phát biểu.", "Bà ThS. Lê B nghe."]


def test_line_breaks_and_ellipsis_end_sentences():
    assert split("Tham mưu quy hoạch 2015 – 2020… Tích cực đẩy mạnh.\nQuang cảnh") == [
        "Tham mưu quy hoạch 2015 – 2020…", "Tích cực đẩy mạnh.", "Quang cảnh"]


def test_quotes_and_exclamations():
    assert split("Ông nói: “Tốt lắm!” Sau đó họp tiếp? Có.") == ["Ông nói: “Tốt lắm!”", "Sau đó họp tiếp?", "Có."]


def test_a_quotation_of_several_sentences_stays_one_sentence():
    text = 'Chị trả lời: "Tiền không quan trọng. Tôi sẽ sống cho đam mê". Anh cười. Bà nói “Tốt. Rất tốt.” Hết.'
    assert split(text) == [
        'Chị trả lời: "Tiền không quan trọng. Tôi sẽ sống cho đam mê".', "Anh cười.", "Bà nói “Tốt. Rất tốt.”", "Hết."]


def test_a_quote_mark_left_open_does_not_swallow_the_paragraph():
    text = 'Ông nói "Sai lầm. Rất lớn. Tiếp theo là câu khác. Và câu nữa.'
    assert split(text) == ['Ông nói "Sai lầm.', "Rất lớn.", "Tiếp theo là câu khác.", "Và câu nữa."]
    far = 'Ông nói "Một câu. ' + "Dài " * 120 + 'hết" rồi.'
    assert split(far)[0] == 'Ông nói "Một câu.'  # closed, but past MAX_QUOTED characters


def test_spans_are_exact_offsets_on_every_seed(seed_texts):
    for text in seed_texts.values():
        spans = split_spans(text)
        assert spans
        for s in spans:
            piece = text[s.start : s.end]
            assert piece == piece.strip() and piece
        # nothing but whitespace between consecutive sentences is lost
        covered = "".join(text[s.start : s.end] for s in spans)
        assert len(covered.replace(" ", "")) == len("".join(text.split()))


def test_window_split_matches_whole_text_split(seed_texts):
    text = seed_texts["003_838962f970cd0743"]
    whole = split_spans(text)
    start, end = whole[3].start, whole[7].end
    assert split_spans(text, start, end) == whole[3:8]


def test_a_span_of_years_is_stated_however_it_is_written():
    from rag.answer.kinds import contains_phrase, keys

    for text in ("giai đoạn 2017 – 2021", "trong giai đoạn từ năm 2017 đến 2021", "2017-2021"):
        assert contains_phrase(*keys(text), "2017-2021"), text
    assert not contains_phrase(*keys("từ năm 2017 đến 2020"), "2017-2021")
