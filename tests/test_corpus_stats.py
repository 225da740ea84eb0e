"""Corpus statistics computed at ingest, on a real embedded Chroma: report frequencies of
words and the embedding model's background similarity."""
from __future__ import annotations

import json

from rag.ingest.pipeline import ingest
from rag.retrieval.corpus_stats import CorpusStats
from rag.retrieval.store import ReportStore
from rag.settings import Settings


def test_the_seed_index_knows_which_words_every_report_uses(seed_index):
    stats = seed_index.evidence.corpus
    assert stats.reports == 5
    assert stats.report_share("Ban") == 1.0  # every report names a "Ban …"
    assert stats.report_share("Sầm") == 0.2  # one report's place
    assert stats.report_share("chưa-từng-có") == 0.0
    # unrelated sentences of this corpus, with this model: a real spread, not a constant
    assert 0.5 < stats.sim_mean < 0.99 and 0.0 < stats.sim_std < 0.2
    assert stats.similarity_z(stats.sim_mean) == 0.0
    assert stats.similarity_z(stats.sim_mean + 2 * stats.sim_std) == 2.0


def test_stats_are_saved_with_the_index_and_follow_its_changes(two_seeds, tmp_path):
    settings = Settings.load(home=tmp_path / "home")
    store = ReportStore.open(settings, create=True)
    first = sorted(two_seeds.iterdir())[0]
    ingest([first], store, settings.lexical_dir, progress=False)
    saved = settings.lexical_dir / "corpus.json"
    assert json.loads(saved.read_text())["reports"] == 1
    stamp = saved.stat().st_mtime_ns
    assert CorpusStats.for_store(store, settings.lexical_dir).reports == 1
    assert saved.stat().st_mtime_ns == stamp  # unchanged store: read back, not recomputed
    ingest([two_seeds], store, settings.lexical_dir, progress=False)
    assert CorpusStats.for_store(store, settings.lexical_dir).reports == 2
    # with fewer than four reports, frequencies say nothing about what is generic
    assert CorpusStats.for_store(store, settings.lexical_dir).report_share("Ban") == 0.0


def test_a_damaged_stats_file_is_rebuilt(two_seeds, tmp_path):
    settings = Settings.load(home=tmp_path / "home")
    store = ReportStore.open(settings, create=True)
    ingest([two_seeds], store, settings.lexical_dir, progress=False)
    (settings.lexical_dir / "corpus.json").write_text("{not json")
    assert CorpusStats.for_store(store, settings.lexical_dir).reports == 2
    assert json.loads((settings.lexical_dir / "corpus.json").read_text())["reports"] == 2
