from rag.ingest.chunk import SentenceChunker
from rag.text.sentences import split_spans


def test_chunk_offsets_are_exact_and_ids_stable(seed_texts):
    chunker = SentenceChunker(chunk_size=900)
    for doc_id, text in seed_texts.items():
        chunks = chunker.chunks(doc_id, text)
        assert chunks
        for n, c in enumerate(chunks):
            assert text[c.start : c.end] == c.text
            assert c.chunk_id == f"{doc_id}:{n:03d}"
        assert chunker.chunks(doc_id, text) == chunks  # same text, same ids
        assert chunks[0].start == 0 and chunks[-1].end == len(text.rstrip())


def test_chunks_respect_size_and_overlap_one_sentence(seed_texts):
    text = seed_texts["003_838962f970cd0743"]
    chunker = SentenceChunker(chunk_size=600)
    chunks = chunker.chunks("x", text)
    sentences = split_spans(text)
    starts = {s.start for s in sentences}
    ends = {s.end for s in sentences}
    for a, b in zip(chunks, chunks[1:]):
        assert a.start in starts and a.end in ends  # whole sentences only
        inside = [s for s in sentences if a.start <= s.start and s.end <= a.end]
        shared = [s for s in inside if b.start <= s.start]
        assert len(shared) == (1 if len(inside) > 1 else 0)  # one sentence of overlap
    longest_sentence = max(s.end - s.start for s in sentences)
    assert all(c.end - c.start <= max(600, longest_sentence) for c in chunks)


def test_an_overlong_sentence_is_cut_at_spaces():
    text = ("từ " * 1000).strip() + "."
    chunks = SentenceChunker(chunk_size=300).chunks("x", text)
    assert len(chunks) > 5
    assert all(len(c.text) <= 600 and text[c.start : c.end] == c.text for c in chunks)


def test_it_is_a_langchain_text_splitter(seed_texts):
    docs = SentenceChunker(chunk_size=900).create_documents([seed_texts["000_1f9fa2e96ddb3942"]])
    assert len(docs) == 4 and all(d.page_content for d in docs)
