#!/usr/bin/env bash
# Fuzzes the Varlink framer/decoder/dispatcher and the config loader with
# libFuzzer (from the Swift toolchain) under AddressSanitizer.
#
#   scripts/fuzz.sh [SECONDS]     each target runs SECONDS (default 20)
#   FUZZ_TARGETS="FuzzConfig" scripts/fuzz.sh 600     one target only
#   FUZZ_SEED=1 FUZZ_RUNS=2000 scripts/fuzz.sh 30      reproducible (CI)
#
# A reproducible run fixes libFuzzer's seed, stops after FUZZ_RUNS inputs per
# target (or SECONDS, whichever comes first) and starts from the committed
# seeds only, so the same code always meets the same inputs: CI does not turn
# red by luck. Open-ended runs are how new crashes are found.
#
# Seeds come from Fuzz/corpus/<name>/ (committed); inputs libFuzzer finds
# interesting are added to .build-fuzz/corpus/<name>/ (not committed; copy good
# ones into Fuzz/corpus/ by hand). Exit status is non-zero if any target
# crashed; that run's crash inputs are kept under
# .build-fuzz/crashes/<time>/<name>/ (the path is printed) and replay with
#   SWIFT_BACKTRACE=enable=no .build-fuzz/release/<Target> <crash file>
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"

seconds="${1:-20}"
targets="${FUZZ_TARGETS:-FuzzVarlink FuzzConfig}"
root="$PWD"
scratch="$root/.build-fuzz"

# A separate package and scratch path: the normal build never compiles these.
# -parse-as-library: libFuzzer provides main() (see Fuzz/Package.swift).
# Release for faster runs; -O keeps overflow and bounds traps. C/C++ code
# (TOMLKit's toml++) gets coverage and ASan too, so the fuzzer can steer
# through the TOML parser.
# The root package is a path dependency here, and SwiftPM reuses its cached
# build plan when only a source file of it was added or renamed ("missing
# inputs"): drop the plan so it is made again (compiled objects are kept).
rm -f "$scratch/release.yaml" "$scratch"/*/release/description.json
swift build -c release --package-path Fuzz --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library \
    -Xcc -fsanitize=fuzzer-no-link,address -Xcxx -fsanitize=fuzzer-no-link,address \
    2>&1 | grep -v "Cannot export local symbol '__asan" | tail -20
bin="$(swift build -c release --package-path Fuzz --scratch-path "$scratch" --show-bin-path)"

run_crashes="$scratch/crashes/$(date -u +%Y%m%dT%H%M%SZ)"
failed=()
for target in $targets; do
    name="${target#Fuzz}"
    name="${name,,}"    # FuzzVarlink -> varlink
    seeds="$root/Fuzz/corpus/$name"
    work="$scratch/corpus/$name"
    repro=()
    if [ -n "${FUZZ_SEED:-}" ]; then
        work="$(mktemp -d)"
        repro=(-seed="$FUZZ_SEED" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"})
    fi
    crashes="$run_crashes/$name"
    mkdir -p "$work" "$crashes"
    dict=()
    [ -f "$root/Fuzz/$name.dict" ] && dict=(-dict="$root/Fuzz/$name.dict")
    echo "== $target: ${seconds}s (seeds $seeds)"
    # -rss_limit_mb: ASan's quarantine alone holds a few hundred MB; 2 GB
    # still catches runaway allocation.
    # SWIFT_BACKTRACE=enable=no: the Swift runtime's crash backtracer reads memory in
    # ways ASan reports as an overflow, hiding the real crash.
    if ! SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0" "$bin/$target" "$work" "$seeds" "${dict[@]}" "${repro[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -artifact_prefix="$crashes/" -print_final_stats=1 >"$scratch/$name.log" 2>&1; then
        failed+=("$target")
        echo "!! $target FAILED (full output: $scratch/$name.log):"
        grep -v "^#" "$scratch/$name.log" \
            | grep -m1 -A30 -E "Fatal error|Assertion|ERROR: |deadly signal|timeout|out-of-memory" \
            || tail -25 "$scratch/$name.log"
    else
        grep -E "^stat::number_of_executed_units|^Done" "$scratch/$name.log" || true
    fi
    [ -n "${FUZZ_SEED:-}" ] && rm -rf "$work"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "Crash inputs of this run: $run_crashes"
    ls -l "$run_crashes"/* 2>/dev/null | grep -v "^total" || true
    echo "FUZZ FAILED: ${failed[*]}" >&2
    exit 1
fi
rm -rf "$run_crashes"
echo "fuzz: no crash in $targets (${seconds}s each)"
