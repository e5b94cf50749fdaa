#!/usr/bin/env bash
# The README's test command: install everything the tests need, then run them.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh tests/foundation -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
exec .venv/bin/python -m pytest "$@"
