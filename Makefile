# Everything a newcomer or CI needs, from nothing but python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck generate check-generated update-spec bench bench-smoke vendor serve clean ci

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet -e ".[testing,redis]" --group dev
	touch $(STAMP)

setup: $(STAMP)

## The main demo: the example application against the emulator on loopback.
demo: $(STAMP)
	$(PY) examples/demo.py

## The whole test suite (starts the services it needs).
test: $(STAMP)
	scripts/with-redis.sh $(PY) -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check custom tests codegen benchmarks examples
	$(BIN)/ruff format --check custom tests codegen benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy cliq_channels_client/custom cliq_channels_client/testing.py codegen examples benchmarks tests
	@# pyright's view of the public surface, as a user's IDE sees it (no casts, asserts or ignores allowed there)
	$(BIN)/basedpyright --level error examples/typed_app.py

## Regenerate cliq_channels_client/ from openapi/: download -> ingest -> overlay -> generator (never edit it by hand).
generate: $(STAMP)
	codegen/generate.sh build/generate
	rm -rf cliq_channels_client
	mv build/generate/cliq_channels_client cliq_channels_client

## Fail when the committed generated code differs from what openapi/ produces.
check-generated: $(STAMP)
	codegen/generate.sh build/check
	diff -r --no-dereference build/check/cliq_channels_client cliq_channels_client \
		|| (echo "generated code drifted from openapi/: run 'make generate' and commit" >&2; exit 1)

bench: $(STAMP)
	$(PY) -m benchmarks

bench-smoke: $(STAMP)
	$(PY) -m benchmarks --smoke

## Take a downloaded Channels OpenAPI document (Zoho's own file as is): regenerate, print API/limit changes, corrections, new operations (CHECK=1: exit 1 if breaking or a limit is unreadable)
update-spec: $(STAMP)
	$(PY) -m codegen.update_spec "$(SPEC)" $(if $(CHECK),--check)

## Copy the client into another tree: make vendor DEST=svc/_vendor/cliq_channels_client
vendor: $(STAMP)
	$(PY) -m codegen.vendor "$(DEST)"

serve: $(STAMP)
	$(PY) -m cliq_channels_client.testing serve --port 8765

ci: check-generated lint typecheck test

clean:
	rm -rf build .pytest_cache .mypy_cache
