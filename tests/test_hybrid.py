"""HybridRetriever on the seeds: LangChain's standard retriever suite, and Vietnamese specifics."""
from __future__ import annotations

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from rag.retrieval.hybrid import HybridRetriever


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _index(self, seed_index):
        type(self).pipeline = seed_index

    @property
    def retriever_constructor(self):
        return HybridRetriever

    @property
    def retriever_constructor_params(self):
        return {"store": self.pipeline.store, "lexical": self.pipeline.lexical}

    @property
    def retriever_query_example(self) -> str:
        return "Hội nghị sơ kết công tác thi đua"


def _top_doc(retriever, query, **kw):
    return retriever.invoke(query, **kw)[0].metadata["doc_id"]


@pytest.mark.parametrize("mode", ["hybrid", "lexical"])
def test_a_query_typed_without_diacritics_finds_its_report(seed_index, mode):
    retriever = seed_index.retriever.model_copy(update={"mode": mode})
    assert _top_doc(retriever, "huan chuong lao dong hang nhi") == "004_aa4c518af7af5ae9"
    assert _top_doc(retriever, "cum thi dua dong bac ha giang") == "002_37f2df06d8ddf81f"


def test_the_other_tone_placement_finds_the_same_chunks(seed_index):
    a = [d.id for d in seed_index.retriever.invoke("Bí thư Tỉnh ủy Thanh Hóa")]
    b = [d.id for d in seed_index.retriever.invoke("Bí thư Tỉnh uỷ Thanh Hoá")]
    assert a == b


def test_documents_carry_offsets_into_the_cleaned_text(seed_index):
    for doc in seed_index.retriever.invoke("Sầm Sơn"):
        meta = doc.metadata
        assert seed_index.store.report(meta["doc_id"]).text[meta["start"] : meta["end"]] == doc.page_content
        assert meta["score"] > 0


def test_filters_by_report_and_year(seed_index):
    docs = seed_index.retriever.invoke("hội nghị thi đua", doc_ids=["001_94090ceb8c428316"], k=3)
    assert docs and {d.metadata["doc_id"] for d in docs} == {"001_94090ceb8c428316"}
    docs = seed_index.retriever.invoke("hội nghị thi đua", years=[2013, 2009], k=8)
    assert {d.metadata["doc_id"] for d in docs} == {"002_37f2df06d8ddf81f", "004_aa4c518af7af5ae9"}
    assert seed_index.retriever.invoke("hội nghị", doc_ids=["no-such-report"]) == []


@pytest.mark.parametrize("sentence_vote", [True, False])
def test_dense_mode_uses_chroma_similarity(seed_index, sentence_vote):
    dense = seed_index.retriever.model_copy(update={"mode": "dense", "sentence_vote": sentence_vote})
    docs = dense.invoke("Nha Trang", k=2)
    assert all(d.metadata["dense_score"] is not None and d.metadata["lexical_score"] is None for d in docs)


def test_the_sentence_vote_ranks_a_chunk_by_its_nearest_sentence(seed_index):
    # a sentence asked word for word: its chunk comes first, scored by that sentence's cosine
    store, retriever = seed_index.store, seed_index.retriever
    report = store.report("001_94090ceb8c428316")
    sentence = next(m for m in store.sentences.get(where={"doc_id": report.doc_id})["metadatas"]
                    if m["end"] - m["start"] > 80)
    text = report.text[sentence["start"] : sentence["end"]]
    (position, cosine), *_ = retriever._chunks_of(store.dense_sentences(text, 3))
    top = retriever.lexical.meta[position]
    assert top["doc_id"] == report.doc_id
    assert top["start"] <= sentence["start"] and sentence["end"] <= top["end"]
    assert cosine > 0.95 and cosine > retriever.store.dense_search(text, 1)[0][1]  # a chunk says more
    assert retriever.model_copy(update={"mode": "dense"}).invoke(text, k=1)[0].id == top["chunk_id"]


# a chunk of its own, so what comes before and after it stays apart
_OPENING = " ".join(f"Nội dung thứ {i} của báo cáo nêu kết quả thực hiện các chương trình công tác trong kỳ."
                    for i in range(12))


def _report(*passages: str) -> str:
    """A report's text: a title line, then these passages, each a paragraph of its own."""
    return "\n\n".join(["Báo cáo công tác", *passages]) + "\n"


def _retriever_over(tmp_path, reports: dict[str, str]):
    """The retriever of a fresh index of these reports (file stem -> text)."""
    from rag.chain import open_pipeline
    from rag.ingest.pipeline import ingest
    from rag.retrieval.store import ReportStore
    from rag.settings import Settings

    folder = tmp_path / "reports"
    folder.mkdir()
    for stem, text in reports.items():
        (folder / f"{stem}.txt").write_text(text, encoding="utf-8")
    settings = Settings.load(home=tmp_path / "home")
    ingest([folder], ReportStore.open(settings, create=True), settings.lexical_dir, progress=False)
    return open_pipeline(settings).retriever


def test_a_named_year_prefers_that_years_report(tmp_path):
    # Years of one office's reports repeat each other: the same sentence in three yearly
    # reports, each in its own place. Asked about one year, that year's report comes first.
    places = {2017: "Hội trường A", 2018: "Hội trường B", 2019: "Hội trường C"}
    retriever = _retriever_over(tmp_path, {
        f"bao-cao-{year}": f"Báo cáo tổng kết công tác tổ chức năm {year}\n\n{_OPENING}\n\n"
                           f"Hội nghị tổng kết công tác tổ chức xây dựng Đảng được tổ chức tại {hall}. "
                           "Các đơn vị đã hoàn thành nhiệm vụ được giao, đánh giá cán bộ đúng quy định.\n"
        for year, hall in places.items()})
    # either vote tells them apart: the named year's rankings, or the report holding the year
    # in its title; without both the three tie and one wins every time
    for votes in ({"report_weight": 0.0}, {"named_year_weight": 0.0}):
        voted = retriever.model_copy(update=votes)
        for year in places:
            question = f"Hội nghị tổng kết công tác tổ chức xây dựng Đảng năm {year} được tổ chức ở đâu?"
            assert voted.invoke(question)[0].metadata["year"] == year
    unvoted = retriever.model_copy(update={"named_year_weight": 0.0, "report_weight": 0.0, "report_focus": 0})
    tops = {unvoted.invoke(f"Hội nghị tổng kết công tác tổ chức xây dựng Đảng năm {y} ở đâu?")[0].metadata["year"]
            for y in places}
    assert len(tops) < len(places)


@pytest.mark.parametrize("mode", ["hybrid", "lexical"])
def test_a_chunk_the_store_no_longer_has_is_never_served(tmp_path, mode):
    # Another process removed a chunk after this one read its lexical index: BM25 still ranks it,
    # and the next chunk takes its place.
    retriever = _retriever_over(tmp_path, {
        f"bao-cao-{n}": _report(_OPENING, f"Đoàn kiểm tra số {n} đã làm việc với {n + 2} đơn vị.")
        for n in range(4)}).model_copy(update={"mode": mode})
    question = "Đoàn kiểm tra số 1 đã làm việc với bao nhiêu đơn vị?"
    first = [d.id for d in retriever.invoke(question, k=3)]
    retriever.store.vectors.delete(ids=first[:1])
    again = [d.id for d in retriever.invoke(question, k=3)]
    assert first[0] in retriever.lexical.ids and first[0] not in again
    assert len(again) == 3 and again[:2] == first[1:]


def test_the_report_holding_all_the_question_names_votes(tmp_path):
    # The question names a host province and an award. One report states both, in passages far
    # apart; look-alike reports state one of them each, in passages that match the question as
    # well or better. The report holding both comes first only with the report vote.
    host = "Hội nghị năm nay do tỉnh Lâm Viên đăng cai, với sự tham dự của các đơn vị trong khu vực."
    award = "Cụm thi đua số 7 trao cờ thi đua cho đơn vị dẫn đầu là Ban Tổ chức huyện {}."
    units = ["Bắc Sơn", "Nam Sơn", "Đông Sơn", "Tây Sơn", "Trung Sơn", "Hạ Sơn", "Thượng Sơn"]
    reports = {"both": _report(host, _OPENING, award.format(units[0]))}
    for n, unit in enumerate(units[1:]):
        reports[f"award-{n}"] = _report(_OPENING, award.format(unit))
        reports[f"host-{n}"] = _report(_OPENING, host)
    retriever = _retriever_over(tmp_path, reports).model_copy(update={"mode": "lexical"})
    question = "Tại hội nghị năm nay do tỉnh Lâm Viên đăng cai, Cụm thi đua số 7 trao cờ thi đua cho đơn vị nào?"
    lexical = retriever.lexical
    assert lexical.meta[lexical.search_reports(question, 3)[0][0]]["doc_id"] == "both"
    assert lexical.meta[lexical.search(question, 3)[0][0]]["doc_id"] != "both"
    assert retriever.invoke(question)[0].metadata["doc_id"] == "both"
    unvoted = retriever.model_copy(update={"report_weight": 0.0, "report_focus": 0})
    assert unvoted.invoke(question)[0].metadata["doc_id"] != "both"
    # the vote keeps to the reports asked for
    others = sorted(lexical.doc_ids - {"both"})
    assert "both" not in {d.metadata["doc_id"] for d in retriever.invoke(question, doc_ids=others)}


def test_bm25_ranks_again_within_the_reports_holding_most_of_the_question(tmp_path):
    # Ten template reports state the award sentence with every word of the question but the host
    # and the cluster number, in one passage; the report asked about states the host and the
    # award in passages apart, and so does no passage of it match as well. The report vote alone
    # loses to the templates' many high ranks; ranked again within the three reports holding
    # most of the question, its passage is first there and the report comes first.
    host = "Hội nghị năm nay do tỉnh Lâm Viên đăng cai, với sự tham dự của các đơn vị trong khu vực."
    award = "Cụm thi đua số {} trao cờ thi đua cho đơn vị dẫn đầu là Ban Tổ chức huyện {}."
    template = "Hội nghị năm nay do tỉnh {0} đăng cai, Cụm thi đua số 9 trao cờ thi đua cho đơn vị dẫn đầu."
    reports = {"asked": _report(host, _OPENING, award.format(7, "Bắc Sơn"))}
    for n, place in enumerate(["Hà Sơn", "Kim Sơn", "Ngọc Sơn", "Bạch Sơn", "Thạch Sơn", "Hồng Sơn", "Lam Sơn",
                               "Vân Sơn", "Tùng Sơn", "Mai Sơn"]):
        reports[f"template-{n}"] = _report(_OPENING, template.format(place))
    for n in range(3):
        reports[f"host-{n}"] = _report(_OPENING, host)
    retriever = _retriever_over(tmp_path, reports).model_copy(update={"mode": "lexical"})
    question = "Tại hội nghị do tỉnh Lâm Viên đăng cai, Cụm thi đua số 7 trao cờ thi đua cho đơn vị nào?"
    lexical = retriever.lexical
    assert lexical.meta[lexical.search_reports(question, 3)[0][0]]["doc_id"] == "asked"
    assert lexical.meta[lexical.search(question, 3)[0][0]]["doc_id"].startswith("template")
    unfocused = retriever.model_copy(update={"report_focus": 0})
    assert unfocused.invoke(question)[0].metadata["doc_id"] != "asked"
    assert retriever.invoke(question)[0].metadata["doc_id"] == "asked"
    # within the reports asked for only
    others = sorted(lexical.doc_ids - {"asked"})
    assert "asked" not in {d.metadata["doc_id"] for d in retriever.invoke(question, doc_ids=others)}


def test_a_report_holding_far_more_of_the_question_is_alone_in_focus(tmp_path):
    # The question names a person and a place. The report asked about states them in passages
    # apart; three look-alike reports state the place and a namesake (another surname) in one
    # passage that matches the question better; ten more name namesakes elsewhere. Held by the
    # asked report alone, the surname makes it hold far more of the question than any other:
    # ranked again within the three reports holding most of it, the look-alikes' passages come
    # first and one of them wins; ranked within the reports holding nearly as much as the first,
    # the asked report does.
    place = "Hội nghị được tổ chức tại thị xã Vân Long."
    reports = {"asked": _report(place, _OPENING, "Ông Trần Minh Khoa là Phó Trưởng ban.")}
    for n, surname in enumerate(["Lê", "Phạm", "Hồ"]):
        reports[f"namesake-{n}"] = _report(_OPENING, f"Hội nghị được tổ chức tại thị xã Vân Long; ông {surname} Minh Khoa "
                                            "giữ chức vụ Phó Trưởng ban phát biểu tại hội nghị.")
    for n, surname in enumerate(["Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Mai", "Tạ", "Cao"]):
        reports[f"template-{n}"] = _report(_OPENING, f"Tham dự hội nghị có ông {surname} Minh Khoa giữ chức vụ Phó Trưởng ban; "
                                            "ông Minh Khoa phát biểu tại hội nghị.")
    retriever = _retriever_over(tmp_path, reports).model_copy(update={"mode": "lexical"})
    question = "Ông Trần Minh Khoa giữ chức vụ gì tại hội nghị ở Vân Long?"
    lexical = retriever.lexical
    assert lexical.meta[lexical.search_reports(question, 3)[0][0]]["doc_id"] == "asked"
    assert lexical.meta[lexical.search(question, 3)[0][0]]["doc_id"].startswith("namesake")
    all_three = retriever.model_copy(update={"report_focus_within": 0.0})
    assert all_three.invoke(question)[0].metadata["doc_id"].startswith("namesake")
    assert retriever.invoke(question)[0].metadata["doc_id"] == "asked"
