#!/usr/bin/env bash
# Quick start: install what is missing, build, and run antred on the shipped
# village-office config with keyboard keys as buttons and a preview printer, and the
# waiting-room board (antre-board) on http://127.0.0.1:8080 (ANTRE_BOARD_LISTEN changes it).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
scripts/install-deps.sh
swift build --product antred
swift build --product antre
swift build --product antre-board
mkdir -p demo-state
# Man pages from this build (the first run builds the generator: about a minute).
if BIN=.build/debug scripts/gen-man.sh .build/man antred:8 antre:1 antre-board:1 >demo-state/gen-man.log 2>&1; then
  echo "Manuals: man -l .build/man/antre.1   man -l .build/man/antred.8"
else
  echo "Manuals could not be generated (see demo-state/gen-man.log); antre --help has the same text" >&2
fi
echo "The CLI: $(pwd)/.build/debug/antre (try: antre status, antre call --counter 1)"
# The waiting-room board, in the background; it waits for antred by itself and stops
# with the demo. Its voice cache and log stay under demo-state/.
board_listen=${ANTRE_BOARD_LISTEN:-127.0.0.1:8080}
.build/debug/antre-board --config config/antre.toml --listen "$board_listen" --cache demo-state/voice \
  >demo-state/antre-board.log 2>&1 &
board_pid=$!
trap 'kill "$board_pid" 2>/dev/null || true; wait "$board_pid" 2>/dev/null || true' EXIT
echo "Waiting-room board (TV): http://$board_listen/   phone page of a ticket: http://$board_listen/t/T-001"
echo "  (open it in a browser; log: demo-state/antre-board.log)"
.build/debug/antred --demo --demo-dir demo-state --config config/antre.toml "$@"
