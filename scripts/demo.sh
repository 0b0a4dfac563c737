#!/usr/bin/env bash
# Quick start: install what is missing, build, and run antred on the shipped
# village-office config with keyboard keys as buttons and a preview printer.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
scripts/install-deps.sh
swift build --product antred
swift build --product antre
mkdir -p demo-state
# Man pages from this build (the first run builds the generator: about a minute).
if BIN=.build/debug scripts/gen-man.sh .build/man antred:8 antre:1 >demo-state/gen-man.log 2>&1; then
  echo "Manuals: man -l .build/man/antre.1   man -l .build/man/antred.8"
else
  echo "Manuals could not be generated (see demo-state/gen-man.log); antre --help has the same text" >&2
fi
echo "The CLI: $(pwd)/.build/debug/antre (try: antre status, antre call --counter 1)"
exec .build/debug/antred --demo --demo-dir demo-state --config config/antre.toml "$@"
