# eoffice — two commands matter: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAGE ?= prod
NAME ?=
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test lint unit integration e2e package bench job reset clean venv

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-ocr.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

## The product on this machine at http://127.0.0.1:8000 (Ctrl-C stops it; data is kept).
run: venv
	$(PY) -m chalicelib.local.run

## Lint, unit, integration and end-to-end tests. Unit and integration tests run
## in JOBS processes (pytest-xdist; each has its own in-process moto); the
## end-to-end tests share one local runtime and one Chromium, so they run in one.
## xdist's default (load) hands each worker a first chunk of a quarter of its
## share in collection order: tests/conftest.py puts the packaging test first, so
## one worker builds the package once, at the start, while the other runs tests.
## (--dist loadgroup does not group under pytest 9 with xdist 3.8: it sets
## item._nodeid, which pytest 9 no longer reads.)
JOBS ?= 2
test: venv
	$(PY) -m ruff check .
	$(PY) -m pytest tests/unit tests/integration -p no:cacheprovider -n $(JOBS) --durations=20
	$(PY) -m pytest tests/e2e -p no:cacheprovider --durations=20

lint: venv
	$(PY) -m ruff check .

unit: venv
	$(PY) -m pytest tests/unit -n $(JOBS)

integration: venv
	$(PY) -m pytest tests/integration -n $(JOBS)

e2e: venv
	$(PY) -m pytest tests/e2e

## One CloudFormation template for STAGE (default prod) in build/package, checked by cfn-lint.
package: venv
	$(PY) infra/package.py --stage $(STAGE) --out build/package

## Benchmarks; figures go into docs/performance.md.
bench: venv
	$(PY) -m bench.run

## Run a scheduled job now against the running `make run` (e.g. make job NAME=sweep_outbox).
job: venv
	$(PY) -m chalicelib.local.job $(NAME)

## Forget all local data (moto state, demo passwords).
reset:
	rm -rf .eoffice

clean: reset
	rm -rf $(VENV) build .pytest_cache .ruff_cache
