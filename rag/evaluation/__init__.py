"""The evaluation benchmark: a Q&A set, per-question metrics, aggregation, reports."""
