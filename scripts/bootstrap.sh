#!/usr/bin/env bash
# Installs what ChartReady needs into .venv (and, for tests, the system packages the tests
# drive: Chromium, poppler-utils, npm for axe-core, WeasyPrint's libraries). Idempotent; run
# by run.sh and test.sh. Usage: bootstrap.sh [runtime|test]
# BOOTSTRAP_DRY_RUN=1 prints the system packages it would install and stops there.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-runtime}

py=${PYTHON:-python3}
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "ChartReady needs Python >= 3.11 (found $("$py" --version))" >&2; exit 1; }

apt_packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "$want" = test ]; then
  apt_packages+=(chromium poppler-utils)
fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# The browser tests inject axe-core, installed from the npm registry with npm.
if [ "$want" = test ] && ! command -v npm >/dev/null; then
  missing+=(npm)
fi
if [ "${BOOTSTRAP_DRY_RUN:-0}" = 1 ]; then
  echo "would install: ${missing[*]}"
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing system packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# Browser tests inject axe-core from the npm registry (never a copy in the repository).
if [ "$want" = test ] && [ -f package.json ] && [ ! -d node_modules/axe-core ]; then
  command -v npm >/dev/null || { echo "npm is needed for the browser tests (apt: npm)" >&2; exit 1; }
  npm install --no-audit --no-fund --silent >/dev/null
fi

# Exact versions from the lock file (requirements/*.lock, compiled from pyproject.toml by
# `uv pip compile`; see the README), then ChartReady itself without resolving anything more;
# `pip check` fails if the lock no longer satisfies pyproject.toml.
[ -x .venv/bin/python ] || "$py" -m venv .venv
lock="requirements/$want.lock"
stamp=".venv/.installed-$want-$(cat pyproject.toml "$lock" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  quiet() { grep -v '^WARNING: Location' || true; }
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | quiet
  .venv/bin/python -m pip install -q -r "$lock" 2>&1 | quiet
  # setuptools warns on every editable install that the service/ folder sits in the working
  # directory, which is how this repository is laid out on purpose; nothing to act on.
  PYTHONWARNINGS="ignore:Editable installation" \
    .venv/bin/python -m pip install -q --no-deps -e . 2>&1 | quiet
  .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check; exit 1; }
  .venv/bin/python -c 'import service, litestar, asyncpg, weasyprint'  # fail loudly if broken
  touch "$stamp"
fi
