"""What the answerer needs to know about the indexed corpus, computed at ingest.

- Report frequencies of words: a capitalised word that half the reports use ("Hội nghị",
  "Bệnh viện") is not a name that tells one report apart. Nothing about a corpus is
  listed by hand.
- The embedding model's similarity scale on this corpus: the mean and spread of the cosine
  between unrelated sentences. multilingual-e5 puts nearly everything between 0.7 and 0.9;
  another model spreads differently. The answerer reads similarity as standard deviations
  above this background, so one threshold holds for every model.

Saved as JSON beside the lexical indexes, with the store's fingerprint; rebuilt when the
store changes (like `LexicalIndex.for_store`).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.retrieval.lexical import index_fingerprint
from rag.retrieval.store import ReportStore, read_all
from rag.text.normalize import match_key, words

_FILE = "corpus.json"
_SAMPLE = 400  # sentences whose pairwise cosines estimate the background
_MIN_REPORTS = 4  # below this, report frequencies say nothing about what is generic


@dataclass
class CorpusStats:
    fingerprint: str = ""
    reports: int = 0
    report_df: dict[str, int] = field(default_factory=dict)  # word (match key) -> reports using it
    sim_mean: float = 0.0  # cosine between unrelated sentences of this corpus, with this model
    sim_std: float = 0.0

    def report_share(self, word: str) -> float:
        """Share of the reports that use this word (0 when too few reports to tell)."""
        if self.reports < _MIN_REPORTS:
            return 0.0
        return self.report_df.get(match_key(word), 0) / self.reports

    def similarity_z(self, cosine: float) -> float:
        """How far a cosine stands above unrelated sentences, in standard deviations."""
        return (cosine - self.sim_mean) / self.sim_std if self.sim_std > 0 else 0.0

    @classmethod
    def build(cls, store: ReportStore, fingerprint: str) -> "CorpusStats":
        df: dict[str, int] = {}
        texts = read_all(store.records, ["documents"])["documents"]
        for text in texts:
            for word in {w for w in words(text) if not w.isdigit()}:
                df[word] = df.get(word, 0) + 1
        mean, std = _background(store)
        return cls(fingerprint, len(texts), df, mean, std)

    @classmethod
    def for_store(cls, store: ReportStore, folder: Path, fingerprint: str | None = None) -> "CorpusStats":
        """The saved statistics if they match the store, else computed afresh (and saved)."""
        fingerprint = fingerprint or index_fingerprint(store)
        path = folder / _FILE
        try:
            saved = cls(**json.loads(path.read_text(encoding="utf-8")))
            if saved.fingerprint == fingerprint:
                return saved
        except (OSError, ValueError, TypeError):
            pass
        stats = cls.build(store, fingerprint)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".corpus-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(stats), fh, ensure_ascii=False)
        os.replace(tmp, path)
        return stats


def _background(store: ReportStore) -> tuple[float, float]:
    """Mean and standard deviation of the cosine between sentences of different reports."""
    import numpy as np

    got = store.sentences.get(limit=_SAMPLE, include=["embeddings", "metadatas"])
    if got["embeddings"] is None or len(got["ids"]) < 2:
        return 0.0, 0.0
    vectors = np.asarray(got["embeddings"], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    docs = np.asarray([m["doc_id"] for m in got["metadatas"]])
    cosines = vectors @ vectors.T
    apart = docs[:, None] != docs[None, :]
    if not apart.any():  # one report: any two different sentences
        apart = ~np.eye(len(docs), dtype=bool)
    values = cosines[apart]
    return float(values.mean()), float(values.std())
