#!/usr/bin/env bash
# The whole test suite: unit tests, and integration tests that run antred with
# ptys as button boxes and the emupos emulator as printers (TCP and serial).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
scripts/install-deps.sh
scripts/setup-emupos.sh
swift build --build-tests
# Integration tests start the built executables; make sure they are current.
swift build --product antred
swift build --product antre
swift build --product antre-bench
swift build --product antre-board
# A short smoke run of the benchmark (figures only; it asserts nothing about speed).
.build/debug/antre-bench --presses 50
# Smokes that report and go on, so one failure does not hide the tests' results:
# a short fuzz of the Varlink decoder and the config loader (longer: README,
# "Fuzzing"), and a small load run against the debug antred (full size: README).
status=0
FUZZ_SEED=1 FUZZ_RUNS=10000 scripts/fuzz.sh 20 || status=1
scripts/load-test.py --connections 200 --monitors 40 || status=1
# A 3-day history smoke of the report benchmark (figures only).
.build/debug/antre-bench --history --days 3 --tickets-per-day 100 || status=1
# Antre's side of the encoding comparison (figures only). The python-escpos side
# is left out: its pip install (Pillow, qrcode, pyusb...) takes minutes here.
.build/debug/antre-bench compare --antre-only --runs 200 || status=1
# Issue over the socket against the fsync floor, and antred's idle footprint (figures only).
.build/debug/antre-bench socket --quick || status=1
# Tests run one at a time: integration tests block threads while they wait on
# processes and devices, and on 2 cores that would starve the others.
swift test --skip-build --no-parallel || status=1
exit "$status"
