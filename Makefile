# Two commands do all the set-up on a fresh machine: `make book` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: book pdf test test-fast venv run list passages clean freeze bench snapshot

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

venv: $(STAMP)

## Build the HTML book into _build/html (warnings are errors).
book: $(STAMP)
	$(PY) -m compendium build

## Print the built book to one PDF, _build/pdf/book.pdf (Chromium: Debian's chromium package, or CHROMIUM=path).
pdf: book
	$(PY) -m compendium pdf

## Run the whole test suite (it builds the book too).
test: $(STAMP)
	$(PY) -m pytest

## Every unit test, without the tests that execute chapters (under 30 s).
test-fast: $(STAMP)
	$(PY) -m pytest -m "not chapters"

## Time builds and reruns against the stock template book (not a test); JSON in _build/bench/
bench: $(STAMP)
	$(PY) -m compendium bench

## Rerun chapters with papermill, e.g. make run CHAPTERS="peace-security" ARGS="-p top_n 5"
run: $(STAMP)
	$(PY) -m compendium run $(CHAPTERS) $(ARGS)

list: $(STAMP)
	$(PY) -m compendium list

## Regenerate the committed results snapshot (tests/snapshots) after a deliberate change to the analysis
snapshot: $(STAMP)
	$(PY) -m compendium snapshot

## Regenerate data/passages.csv from the raw text.
passages: $(STAMP)
	$(PY) -m compendium passages

freeze: $(STAMP)
	$(PY) -m pip freeze --exclude-editable > requirements.txt.new && echo "-e ." >> requirements.txt.new
	@echo "review requirements.txt.new, then move it over requirements.txt"

clean:
	rm -rf _build runs
