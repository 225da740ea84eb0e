"""Two eval runs side by side, with deltas, so a change can be judged."""
from __future__ import annotations

import json
from pathlib import Path

from rag.evaluation.report import _table, fmt
from rag.evaluation.runner import HEADLINE


def load_results(path: str | Path) -> dict:
    path = Path(path)
    if path.is_dir():
        path = path / "results.json"
    if not path.is_file():
        raise FileNotFoundError(f"no eval results at {path} (run `baocao eval --out DIR` first)")
    return json.loads(path.read_text(encoding="utf-8"))


def compare(a: dict, b: dict, label_a: str = "A", label_b: str = "B") -> str:
    rows = []
    for name in HEADLINE:
        va, vb = a["overall"].get(name), b["overall"].get(name)
        delta = "" if va is None or vb is None else f"{vb - va:+.3f}"
        rows.append([name, fmt(va), fmt(vb), delta])
    parts = [_table(["metric", label_a, label_b, "delta"], rows), ""]
    tag_rows = []
    for tag in sorted(set(a["by_tag"]) | set(b["by_tag"])):
        va, vb = a["by_tag"].get(tag, {}).get("accuracy"), b["by_tag"].get(tag, {}).get("accuracy")
        delta = "" if va is None or vb is None else f"{vb - va:+.3f}"
        tag_rows.append([tag, fmt(va), fmt(vb), delta])
    parts.append(_table(["accuracy by tag", label_a, label_b, "delta"], tag_rows))
    before = {q["id"]: q["correct"] for q in a["questions"]}
    fixed = [q for q in b["questions"] if q["correct"] and before.get(q["id"]) is False]
    broken = [q for q in b["questions"] if not q["correct"] and before.get(q["id"]) is True]
    parts.append(f"\nfixed by {label_b}: {len(fixed)}   broken by {label_b}: {len(broken)}")
    parts += [f"  + {q['id']} {q['question'][:80]}" for q in fixed]
    parts += [f"  - {q['id']} {q['question'][:80]} — {'; '.join(q['failures'])}" for q in broken]
    return "\n".join(parts)


def ablation_table(runs: dict[str, dict]) -> str:
    names = list(runs)
    rows = [[m, *(fmt(runs[n]["overall"].get(m)) for n in names)] for m in HEADLINE]
    rows.append(["latency total p50 (ms)", *(fmt(runs[n]["latency_ms"]["total"]["p50"], 1) for n in names)])
    return _table(["metric", *names], rows)
