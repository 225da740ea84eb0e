"""PNG charts of `baocao bench` results: each figure against corpus size, one line per
chunk-vector mode (and the tutorial pipeline where it was measured)."""
from __future__ import annotations

from pathlib import Path

CHARTS = [  # file name, title, y label, [(row key, line label), ...]
    ("ingest-speed", "Ingest speed", "characters / s",
     [("chars_per_s", "baocao"), ("tutorial_chars_per_s", "LangChain tutorial")]),
    ("index-size", "Index size on disk", "MB", [("index_mb", "baocao")]),
    ("peak-memory", "Peak memory while ingesting", "MB (peak RSS)", [("ingest_peak_rss_mb", "baocao")]),
    ("cold-ask", "Cold `baocao ask` (new process)", "s", [("cold_ask_s", "cold ask")]),
    ("latency", "Warm latency", "ms",
     [("retrieval_p50_ms", "retrieval p50"), ("retrieval_p95_ms", "retrieval p95"),
      ("ask_p50_ms", "ask p50"), ("ask_p95_ms", "ask p95")]),
    ("hit-at-k", "Seed questions among distractors", "share of questions",
     [("hit_at_1", "hit@1"), ("hit_at_5", "hit@5"), ("hit_at_5_test", "hit@5, held-out questions"),
      ("fact_recall", "answer facts")]),
]


def plot(rows: list[dict], out: Path) -> list[Path]:
    """One PNG per chart in `out`; returns their paths (none when matplotlib is missing)."""
    try:
        import matplotlib
    except ImportError:
        return []
    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    modes = list(dict.fromkeys(r["chunk_vectors"] for r in rows))
    written = []
    for name, title, ylabel, lines in CHARTS:
        fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
        for mode in modes:
            mine = sorted((r for r in rows if r["chunk_vectors"] == mode), key=lambda r: r["size"])
            for key, label in lines:
                points = [(r["size"], r[key]) for r in mine if r.get(key) is not None]
                if points:
                    xs, ys = zip(*points)
                    ax.plot(xs, ys, marker="o", label=label if len(modes) == 1 else f"{label} ({mode})")
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)  # ratios read true
        ax.set_xlabel("corpus size (chunks)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path)
        plt.close(fig)
        written.append(path)
    return written
