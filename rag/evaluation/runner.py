"""Runs the pipeline over an eval set in-process and aggregates the metrics."""
from __future__ import annotations

import random
import statistics
from collections.abc import Callable

from rag.evaluation.dataset import EvalItem
from rag.evaluation.metrics import (
    citation_metrics,
    citations_verbatim,
    evidence_recall,
    fact_recall,
    ranked_reports,
    retrieval_metrics,
    span_match,
    span_recall,
    token_f1,
)

HEADLINE = [
    "accuracy", "hit@1", "hit@3", "hit@5", "mrr", "ndcg@5", "evidence_recall", "fact_recall", "span_match",
    "span_recall", "f1", "refusal_precision", "refusal_recall", "false_refusal_rate", "citation_precision",
    "citation_recall", "citation_verbatim", "answer_chars_p50", "verifier_dropped", "llm_fallback_rate",
]
_MEAN_OVER_ANSWERABLE = ["hit@1", "hit@3", "hit@5", "mrr", "ndcg@5", "evidence_recall", "fact_recall", "span_match",
                         "span_recall", "f1"]
BOOTSTRAP_SAMPLES = 1000


def evaluate(ask: Callable[..., dict], items: list[EvalItem], texts: dict[str, str], progress: bool = True) -> list[dict]:
    """One outcome per item: the answer, every metric, and what failed.
    `ask(question, history)` answers a question after the earlier questions of its conversation."""
    from tqdm import tqdm

    outcomes = []
    for item in tqdm(items, desc="Evaluating", unit="q", disable=not progress):
        result = ask(item.question, item.history)
        precision, recall = citation_metrics(item, result, texts)
        facts, spans = item.answerable and bool(item.facts), item.answerable and bool(item.spans)
        outcomes.append({
            "id": item.id, "question": item.question, "tags": item.tags, "split": item.split,
            "answerable": item.answerable, "gold": item.answer, "gold_doc_ids": item.doc_ids,
            "answer": result["answer"], "refused": result["refused"], "reason": result.get("reason", ""),
            "citations": [{k: c[k] for k in ("marker", "doc_id", "start", "end", "quote")} for c in result["citations"]],
            "retrieved_reports": ranked_reports(result["retrieved"]),
            "evidence_recall": evidence_recall(item, result["retrieved"], texts) if item.evidence else None,
            "fact_recall": fact_recall(item, result["answer"]) if facts else None,
            "span_match": span_match(item, result["answer"]) if spans else None,
            "span_recall": span_recall(item, result["answer"]) if spans else None,
            "f1": token_f1(item.answer, result["answer"]) if item.answerable else None,
            "citation_precision": precision, "citation_recall": recall,
            "citation_verbatim": citations_verbatim(result, texts),
            "generator": result.get("generator", "extractive"), "sentences": result.get("sentences", []),
            "timings_ms": result["timings_ms"],
        })
    scores = retrieval_metrics(items, {o["id"]: o["retrieved_reports"] for o in outcomes})
    for o in outcomes:
        o.update(scores.get(o["id"], {}))
        o["correct"] = (not o["refused"] and _answered_right(o)) if o["answerable"] else o["refused"]
        o["failures"] = _failures(o)
    return outcomes


def _answered_right(o: dict) -> bool:
    """Every key fact stated, or (for gold-span sets) one gold span contained."""
    return o["fact_recall"] == 1.0 if o["fact_recall"] is not None else o["span_match"] == 1.0


def _failures(o: dict) -> list[str]:
    if not o["answerable"]:
        return [] if o["refused"] else ["answered a question the reports cannot answer"]
    out = []
    if o["refused"]:
        out.append(f"refused ({o['reason']})")
    if o.get("hit@1") == 0:
        got = o["retrieved_reports"][0] if o["retrieved_reports"] else "nothing"
        out.append(f"wrong report first ({got})")
    if o["evidence_recall"] is not None and o["evidence_recall"] < 1:
        out.append("gold evidence not retrieved")
    if not o["refused"] and o["fact_recall"] is not None and o["fact_recall"] < 1:
        out.append(f"facts missing ({o['fact_recall']:.0%} found)")
    if not o["refused"] and o["span_match"] == 0:
        out.append(f"no gold span in the answer ({o['span_recall']:.0%} of its words)")
    if o["citation_verbatim"] is not None and o["citation_verbatim"] < 1:
        out.append("a quote is not verbatim")
    if o["citation_precision"] is not None and o["citation_precision"] < 1:
        out.append("a citation is off the evidence")
    return out


def aggregate(outcomes: list[dict]) -> dict[str, float | None]:
    """Headline metrics over a group of outcomes (None where no item applies)."""
    out: dict[str, float | None] = {"n": len(outcomes)}
    answerable = [o for o in outcomes if o["answerable"]]
    out["accuracy"] = _mean([float(o["correct"]) for o in outcomes])
    for name in _MEAN_OVER_ANSWERABLE:
        out[name] = _mean([o[name] for o in answerable if o.get(name) is not None])
    refused = [o for o in outcomes if o["refused"]]
    unanswerable = [o for o in outcomes if not o["answerable"]]
    hits = sum(1 for o in refused if not o["answerable"])
    out["refusal_precision"] = hits / len(refused) if refused else None
    out["refusal_recall"] = hits / len(unanswerable) if unanswerable else None
    out["false_refusal_rate"] = _mean([float(o["refused"]) for o in answerable])
    for name in ("citation_precision", "citation_recall", "citation_verbatim"):
        out[name] = _mean([o[name] for o in outcomes if o.get(name) is not None])
    lengths = [len(o["answer"]) for o in outcomes if not o["refused"]]
    out["answer_chars_p50"] = float(statistics.median(lengths)) if lengths else None
    # LLM answers: the share of generated sentences the verifier dropped, and of answers it fell back on
    generated = [s for o in outcomes for s in o.get("sentences", [])]
    out["verifier_dropped"] = _mean([float(not s["verified"]) for s in generated])
    llm = [o for o in outcomes if o.get("generator", "extractive") != "extractive" and not o["refused"]]
    out["llm_fallback_rate"] = _mean([float(o["generator"] == "extractive (llm unverified)") for o in llm])
    return out


def bootstrap(outcomes: list[dict], samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> dict[str, tuple[float, float]]:
    """95% percentile intervals of the headline metrics, resampling questions (fixed seed)."""
    rng = random.Random(seed)
    draws: dict[str, list[float]] = {name: [] for name in HEADLINE}
    for _ in range(samples):
        sample = [outcomes[rng.randrange(len(outcomes))] for _ in outcomes]
        for name, value in aggregate(sample).items():
            if name in draws and value is not None:
                draws[name].append(value)
    intervals = {}
    for name, values in draws.items():
        if values:
            values.sort()
            intervals[name] = (values[int(0.025 * len(values))], values[min(len(values) - 1, int(0.975 * len(values)))])
    return intervals


def latency(outcomes: list[dict]) -> dict[str, dict[str, float]]:
    out = {}
    for stage in ("retrieve", "answer", "total"):
        values = sorted(o["timings_ms"][stage] for o in outcomes)
        if values:
            out[stage] = {"p50": statistics.median(values), "p95": values[min(len(values) - 1, int(0.95 * len(values)))]}
    return out


def summarize(outcomes: list[dict], config: dict) -> dict:
    """Everything `results.json` holds: config, metrics overall/by split/by tag, CIs, latency, questions."""
    splits = sorted({o["split"] for o in outcomes})
    tags = sorted({t for o in outcomes for t in o["tags"]})
    return {
        "config": config,
        "overall": aggregate(outcomes),
        "ci95": bootstrap(outcomes),
        "by_split": {s: aggregate([o for o in outcomes if o["split"] == s]) for s in splits},
        "ci95_by_split": {s: bootstrap([o for o in outcomes if o["split"] == s]) for s in splits},
        "by_tag": {t: aggregate([o for o in outcomes if t in o["tags"]]) for t in tags},
        "latency_ms": latency(outcomes),
        "questions": sorted(outcomes, key=_worst_first),
    }


def _worst_first(o: dict) -> tuple:
    return (o["correct"], o.get("fact_recall") or 0.0, o.get("hit@1", 1.0), o["id"])


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
