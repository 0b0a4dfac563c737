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
echo "The CLI: $(pwd)/.build/debug/antre (try: antre status, antre call --counter 1)"
exec .build/debug/antred --demo --demo-dir demo-state --config config/antre.toml "$@"
