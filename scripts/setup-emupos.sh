#!/usr/bin/env bash
# Installs the ESC/POS printer emulator emupos (PyPI, needs Python >= 3.13) into
# .venv-emu at the repo root. Tests find it there (or through $EMUPOS).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -x .venv-emu/bin/emupos ]; then exit 0; fi
py=""
for cand in "${PYTHON313:-}" "$(command -v pyenv >/dev/null 2>&1 && echo "$(pyenv root)/versions/3.13.0/bin/python3")" \
            /root/.pyenv/versions/3.13.0/bin/python3 "$(command -v python3.13 || true)"; do
  if [ -n "$cand" ] && [ -x "$cand" ]; then py="$cand"; break; fi
done
if [ -z "$py" ]; then
  echo "setup-emupos: Python 3.13 not found (set PYTHON313=/path/to/python3.13)" >&2
  exit 1
fi
"$py" -m venv .venv-emu
.venv-emu/bin/pip install --quiet emupos
.venv-emu/bin/emupos --help >/dev/null
