#!/usr/bin/env bash
# Generate the cliq_channels_client package from openapi/ into "$1/cliq_channels_client".
# Deterministic: same document + same pinned tools => same bytes.  Called by
# `make generate` (which then swaps the result into place), by
# `make check-generated` (which diffs it against the committed package) and by
# `make update-spec`.  The pipeline: the document as downloaded
# (openapi/channels.yaml) -> ingest -> openapi/overlay.yaml -> the generator
# (codegen/normalise.py writes the normalised document; NORMALISE_REPORT=path
# also writes what ingest and the overlay did, as JSON).
set -euo pipefail
out="$1/cliq_channels_client"
bin="${VENV_BIN:-.venv/bin}"
rm -rf "$out"
mkdir -p "$1"
normalised="$1/openapi.normalised.yaml"
"$bin/python" -m codegen.normalise openapi/channels.yaml openapi/overlay.yaml "$normalised" \
    ${NORMALISE_REPORT:+--report "$NORMALISE_REPORT"}
# The generator's own copy: parameter descriptions moved into their schemas (docstrings only).
generator_input="$1/openapi.generator-input.yaml"
"$bin/python" -m codegen.describe_parameters "$normalised" "$generator_input"
"$bin/openapi-python-client" generate \
    --path "$generator_input" \
    --config generator-config.yaml \
    --meta none \
    --output-path "$out" \
    --custom-template-path codegen/templates \
    --fail-on-warning >/dev/null
"$bin/python" codegen/emit_operation_table.py "$normalised" "$out/operation_table.py"
# PEP 561 marker, and the link that serves custom/ as cliq_channels_client.custom.
: > "$out/py.typed"
# The normalised document, for the embedded emulator (request/response validation).
cp "$normalised" "$out/openapi.yaml"
ln -s ../custom "$out/custom"
# Short import path for the emulator: cliq_channels_client.testing.
cp codegen/shims/testing.py "$out/testing.py"
# Format with settings of our own, independent of pyproject's lint selection.
"$bin/ruff" check --isolated --quiet --fix --select F401,I --line-length 120 "$out" || true
"$bin/ruff" format --isolated --quiet --line-length 120 "$out"
