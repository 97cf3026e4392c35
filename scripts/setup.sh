#!/usr/bin/env bash
# Create or update the two virtual environments. Idempotent: seconds when nothing changed.
#   .venv       Python 3.11: bot/, the action server, the web app, tests (rasa-sdk, sentence-transformers, faiss)
#   .venv-rasa  Python 3.10: the Rasa 3.6.21 server
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PIP_DISABLE_PIP_VERSION_CHECK=1

stamp_ok() { [ -f "$1/.stamp" ] && [ "$(cat "$1/.stamp")" = "$2" ]; }
digest() { cat "$@" | sha256sum | cut -c1-16; }

find_python() {  # find_python 3.10 -> a working interpreter of that version, or nothing
  local v=$1 p
  for p in "python$v" "$(command -v pyenv >/dev/null && pyenv prefix "$v" 2>/dev/null | tail -n1)/bin/python$v" \
           $(ls -d "$HOME"/.pyenv/versions/"$v".*/bin/python"$v" 2>/dev/null | sort -V | tail -n1); do
    if [ -n "$p" ] && "$p" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$v'.split('.')))" 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  # pyenv shims exist for every installed version; try them with the version selected explicitly.
  if command -v pyenv >/dev/null; then
    local full; full=$(pyenv versions --bare 2>/dev/null | grep -E "^$v(\.|$)" | sort -V | tail -n1)
    if [ -n "$full" ] && PYENV_VERSION="$full" "python$v" -V >/dev/null 2>&1; then echo "$(pyenv prefix "$full")/bin/python$v"; return 0; fi
  fi
  return 1
}

need() {
  echo "error: Python $1 is required for $2 but was not found." >&2
  echo "  Install it (for example: pyenv install $1 && pyenv local $1 3.11), or put python$1 on PATH." >&2
  exit 1
}

# --- .venv-rasa (Python 3.10) ---
want=$(digest requirements/rasa.txt)
if ! stamp_ok .venv-rasa "$want"; then
  py310=$(find_python 3.10) || need 3.10 "the Rasa 3.6 server"
  echo "==> Creating .venv-rasa with $py310 (Rasa 3.6.21, about 2 minutes the first time)"
  [ -x .venv-rasa/bin/python ] || "$py310" -m venv .venv-rasa
  .venv-rasa/bin/pip install -qq --upgrade pip
  .venv-rasa/bin/pip install -qq -r requirements/rasa.txt
  echo "$want" > .venv-rasa/.stamp
fi

# --- .venv (Python 3.11) ---
want=$(digest pyproject.toml)
if ! stamp_ok .venv "$want"; then
  py311=$(find_python 3.11) || need 3.11 "the assistant library and action server"
  echo "==> Creating .venv with $py311"
  [ -x .venv/bin/python ] || "$py311" -m venv .venv
  .venv/bin/pip install -qq --upgrade pip
  # The CPU build of torch first: a plain `torch` requirement would pull a multi-GB CUDA build.
  .venv/bin/pip install -qq "torch==2.13.0" || {
    echo "error: could not install the CPU build of torch 2.13.0. See README.md, 'Installing on another machine'." >&2; exit 1; }
  .venv/bin/pip install -qq -e ".[test]"
  echo "$want" > .venv/.stamp
fi

# --- web/node_modules (the widget's socket.io-client, from the committed package-lock.json) ---
want=$(digest web/package-lock.json)
if ! stamp_ok web/node_modules "$want"; then
  command -v npm >/dev/null || { echo "error: npm (Node.js 18 or later) is required for the web widget; install nodejs and npm." >&2; exit 1; }
  echo "==> Installing the web widget's JavaScript dependencies (npm ci in web/)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > web/node_modules/.stamp
fi
