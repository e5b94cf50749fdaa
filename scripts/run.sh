#!/usr/bin/env bash
# The README's run command: install, then start the demo (embedded PostgreSQL unless
# DATABASE_URL is set, demo data, printed URLs and credentials).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh runtime
exec .venv/bin/chartready demo "$@"
