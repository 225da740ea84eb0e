# Two commands a new user needs: `make run` and `make test`. Both install first.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed

.PHONY: install run test ingest clean

# Installing twice is a no-op: the stamp is newer than the lock and pyproject.
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# Index seeds/ (incremental) and answer a sample question.
run: install
	$(BIN)/baocao ingest seeds
	$(BIN)/baocao ask "Hội nghị sơ kết của Cụm thi đua số 2 diễn ra ở đâu?"

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) data
