"""Properties that must hold for any text and any question, searched for by Hypothesis:
normalization is idempotent, chunk and sentence offsets slice back to their text, every
citation's quote is the cleaned report's slice, and a report filter never lets another report
through. `HYPOTHESIS_PROFILE=full` runs many more examples (by hand); CI runs the default."""
from __future__ import annotations

import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rag.ingest.chunk import SentenceChunker
from rag.ingest.clean import clean_text
from rag.text.normalize import canonical_tones, clean_unicode, fold, match_key, typed_text
from rag.text.sentences import split_spans

from .conftest import SEED_IDS

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("full", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Vietnamese as it arrives: both tone placements, NFD, odd spaces, zero-width marks, punctuation
# that ends sentences or not ("TP. Vinh", "1.250", "…"), and anything else Unicode has
VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
ALPHABET = st.sampled_from(list(VIETNAMESE + VIETNAMESE.upper() + " \n\n.,;:!?…“”\"()-–0123456789")
                           + ["\u00a0", "\u200b", "\ufeff", "\u0301", "\u0323", "\r\n", "TP. ", "Hoá", "Hóa", "Uỷ", "Ủy"])
TEXT = st.one_of(st.lists(ALPHABET, max_size=400).map("".join), st.text(max_size=300))


@given(TEXT)
def test_normalization_is_idempotent(text):
    for f in (clean_unicode, canonical_tones, fold, match_key, clean_text, typed_text):
        once = f(text)
        assert f(once) == once, f.__name__


@given(TEXT)
def test_tone_placement_and_composition_do_not_change_the_match_key(text):
    import unicodedata

    assert match_key(unicodedata.normalize("NFD", text)) == match_key(text)


@given(TEXT, st.integers(min_value=40, max_value=900))
def test_chunk_and_sentence_offsets_slice_back_to_their_text(raw, size):
    text = clean_text(raw)
    for chunk in SentenceChunker(chunk_size=size).chunks("doc", text):
        assert text[chunk.start : chunk.end] == chunk.text and chunk.text.strip()
    spans = split_spans(text)
    assert all(text[s.start : s.end].strip() == text[s.start : s.end] != "" for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))  # in order, never overlapping


QUESTION_WORDS = st.sampled_from(
    ["ai", "ở đâu", "khi nào", "bao nhiêu", "Cụm thi đua", "hội nghị", "tỉnh", "Ban Tổ chức", "Huân chương",
     "chủ trì", "năm 2019", "số 2", "số III", "đồng chí", "phát biểu", "nhiệm vụ", "huan chuong", "?", "gì"])
QUESTION = st.lists(QUESTION_WORDS, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=25 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 400)
@given(QUESTION, st.sets(st.sampled_from(SEED_IDS), min_size=1, max_size=2))
def test_citations_quote_the_report_and_filters_never_leak(seed_index, question, allowed):
    assume(any(ch.isalnum() for ch in question))  # a question of punctuation alone is refused before retrieval
    answer = seed_index.ask(question, doc_ids=sorted(allowed))
    for c in answer.citations:
        assert c.doc_id in allowed
        assert c.quote == seed_index.store.report(c.doc_id).text[c.start : c.end]
    assert {r["doc_id"] for r in answer.retrieved} <= allowed

