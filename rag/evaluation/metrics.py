"""Per-question metrics: retrieval (report level, via ir-measures), answers, citations.

ir-measures (with pytrec_eval) computes hit@k, MRR and nDCG; it is light (one C
extension). Evidence recall, fact recall, token F1, refusal and citation metrics are
specific to this contract and are computed here.
"""
from __future__ import annotations

import re
from collections import Counter

from rag.answer.citations import MARKER
from rag.evaluation.dataset import EvalItem, locate, normalized
from rag.text.normalize import words

RETRIEVAL_KS = (1, 3, 5)


def ranked_reports(retrieved: list[dict]) -> list[str]:
    """Report ids in the order their first chunk was retrieved."""
    return list(dict.fromkeys(r["doc_id"] for r in retrieved))


def retrieval_metrics(items: list[EvalItem], runs: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """{item id: {"hit@1", "hit@3", "hit@5", "mrr", "ndcg@5"}} for answerable items;
    an item with nothing retrieved scores 0 everywhere."""
    import ir_measures
    from ir_measures import RR, Success, nDCG

    measures = {f"hit@{k}": Success @ k for k in RETRIEVAL_KS} | {"mrr": RR, "ndcg@5": nDCG @ 5}
    qrels = [ir_measures.Qrel(i.id, d, 1) for i in items if i.answerable for d in i.doc_ids]
    run = [
        ir_measures.ScoredDoc(qid, doc_id, float(len(docs) - rank))
        for qid, docs in runs.items()
        for rank, doc_id in enumerate(docs)
    ]
    out = {i.id: {name: 0.0 for name in measures} for i in items if i.answerable}
    names = {str(m): name for name, m in measures.items()}
    for metric in ir_measures.iter_calc(list(measures.values()), qrels, run):
        if metric.query_id in out:
            out[metric.query_id][names[str(metric.measure)]] = float(metric.value)
    return out


def evidence_recall(item: EvalItem, retrieved: list[dict], texts: dict[str, str]) -> float:
    """Share of gold evidence spans that a retrieved chunk holds (at least half of the span)."""
    if not item.evidence:
        return 0.0
    found = 0
    for ev in item.evidence:
        span = locate(ev["quote"], texts.get(ev["doc_id"], ""))
        if span is None:
            continue
        start, end = span
        for r in retrieved:
            if r["doc_id"] == ev["doc_id"]:
                overlap = min(end, r["end"]) - max(start, r["start"])
                if overlap >= 0.5 * (end - start):
                    found += 1
                    break
    return found / len(item.evidence)


def fact_recall(item: EvalItem, answer: str) -> float:
    if not item.facts:
        return 0.0
    text = normalized(answer)
    return sum(any(normalized(v) in text for v in variants) for variants in item.facts) / len(item.facts)


def span_match(item: EvalItem, answer: str) -> float:
    """1.0 when the answer (markers removed) contains one of the gold spans, compared normalized."""
    text = normalized(MARKER.sub("", answer))
    return float(any(normalized(span) in text for span in item.spans))


def span_recall(item: EvalItem, answer: str) -> float:
    """Gold token recall: the best share of a gold span's syllables found in the answer."""
    got = Counter(words(MARKER.sub("", answer)))
    best = 0.0
    for span in item.spans:
        gold = Counter(words(span))
        if gold:
            best = max(best, sum((gold & got).values()) / sum(gold.values()))
    return best


def citations_verbatim(result: dict, texts: dict[str, str]) -> float | None:
    """Share of citations whose quote is exactly the cited span of the cleaned text."""
    citations = result["citations"]
    if not citations:
        return None
    return sum(texts.get(c["doc_id"], "")[c["start"] : c["end"]] == c["quote"] for c in citations) / len(citations)


def token_f1(gold: str, answer: str) -> float:
    """SQuAD-style F1 over syllables of the normalized texts (markers removed)."""
    g = Counter(words(MARKER.sub("", gold)))
    a = Counter(words(MARKER.sub("", answer)))
    common = sum((g & a).values())
    if not g or not a or not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def citation_supports(item: EvalItem, citation: dict, texts: dict[str, str]) -> bool:
    """A citation is right when its span overlaps a gold evidence span or holds a gold fact or span."""
    for ev in item.evidence:
        if ev["doc_id"] != citation["doc_id"]:
            continue
        span = locate(ev["quote"], texts.get(ev["doc_id"], ""))
        if span is not None and min(span[1], citation["end"]) > max(span[0], citation["start"]):
            return True
    quote = normalized(citation["quote"])
    return citation["doc_id"] in item.doc_ids and any(
        normalized(v) in quote for variants in [*item.facts, item.spans] for v in variants
    )


def citation_metrics(item: EvalItem, result: dict, texts: dict[str, str]) -> tuple[float | None, float | None]:
    """(precision, recall) in the spirit of ALCE; None when the answer has no sentences to judge.

    precision: share of citations that support the answer (see `citation_supports`);
    recall: share of answer sentences followed by a marker whose quote is that sentence
    verbatim in the cited report (the sentence is supported by what it cites)."""
    if result["refused"] or not result["citations"]:
        return None, None
    citations = {c["marker"]: c for c in result["citations"]}
    precision = sum(citation_supports(item, c, texts) for c in citations.values()) / len(citations)
    pieces = re.split(r"(\s*\[\d+\])", result["answer"])
    supported = total = 0
    for text, marker in zip(pieces[0::2], pieces[1::2] + [""]):
        text = text.strip().strip("…").strip()  # "… clause …": the ellipses mark a narrowed quote
        if not text:
            continue
        total += 1
        match = MARKER.match(marker)
        cited = citations.get(int(match.group(1))) if match else None
        if cited and normalized(text) in normalized(texts.get(cited["doc_id"], "")[cited["start"] : cited["end"]]):
            supported += 1
    return precision, (supported / total if total else None)
