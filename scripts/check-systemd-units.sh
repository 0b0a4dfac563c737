#!/usr/bin/env bash
# Checks the files in systemd/ the way systemd will read them:
#  - `systemd-analyze verify` on every unit, silent output required (a warning fails too);
#  - `systemd-analyze security --offline=true` on every service: exposure <= MAX_EXPOSURE (3.0);
#  - sysusers.d and tmpfiles.d snippets applied to a scratch root.
# Works without systemd as PID 1 (containers, CI): verify runs against a scratch root
# that holds the distribution's units, our units, and a stub for each Exec*= binary,
# so the real unit files stay unchanged.
# Usage: scripts/check-systemd-units.sh [systemd-dir]     Exit: 0 clean, 1 problems.
set -euo pipefail
cd "$(dirname "$0")/.."
unit_dir=${1:-systemd}
max_exposure=${MAX_EXPOSURE:-3.0}
failed=0
problem() { echo "check-systemd-units: FAIL: $*" >&2; failed=1; }

if ! command -v systemd-analyze >/dev/null 2>&1; then
  echo "check-systemd-units: systemd-analyze not found (apt-get install systemd)" >&2
  exit 1
fi
echo "check-systemd-units: $(systemd-analyze --version | head -n1)"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/antre-units.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# The scratch root: stock units (sysinit.target, multi-user.target...) and ours.
root="$scratch/root"
mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system"
for stock in /usr/lib/systemd/system /lib/systemd/system; do
  if [ -d "$stock" ]; then cp -a "$stock" "$root/usr/lib/systemd/"; break; fi
done
[ -d "$root/usr/lib/systemd/system" ] || mkdir -p "$root/usr/lib/systemd/system"

shopt -s nullglob
units=("$unit_dir"/*.service "$unit_dir"/*.socket "$unit_dir"/*.timer "$unit_dir"/*.path)
services=("$unit_dir"/*.service)
if [ ${#units[@]} -eq 0 ]; then
  problem "no unit files in $unit_dir/"
fi
for unit in "${units[@]}"; do
  cp "$unit" "$root/etc/systemd/system/"
  # A stub for every command the unit runs: verify insists that they are executable.
  sed -n -E 's/^Exec[A-Za-z]*=[-@:+!]*([^ ]+).*/\1/p' "$unit" | while read -r command; do
    case "$command" in /*) ;; *) continue ;; esac
    if [ ! -e "$root$command" ]; then
      mkdir -p "$root$(dirname "$command")"
      printf '#!/bin/sh\nexit 0\n' >"$root$command"
      chmod 0755 "$root$command"
    fi
  done
done

for unit in "${units[@]}"; do
  name=$(basename "$unit")
  # --man=no: the man pages are installed by `make install`, not present in the scratch root.
  if ! output=$(systemd-analyze verify --man=no --root="$root" "$name" 2>&1); then
    problem "systemd-analyze verify $name failed:"; printf '%s\n' "$output" >&2
  elif [ -n "$output" ]; then
    problem "systemd-analyze verify $name is not clean:"; printf '%s\n' "$output" >&2
  else
    echo "verify $name: clean"
  fi
done

for unit in "${services[@]}"; do
  name=$(basename "$unit")
  report=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1) || true
  exposure=$(printf '%s\n' "$report" | sed -n -E 's/.*Overall exposure level for [^:]+: ([0-9]+\.[0-9]+) ([A-Z]+).*/\1 \2/p' | tail -n1)
  if [ -z "$exposure" ]; then
    problem "systemd-analyze security $name printed no exposure level:"; printf '%s\n' "$report" >&2
    continue
  fi
  score=${exposure% *}
  echo "security $name: exposure $exposure (limit $max_exposure)"
  if awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s > m) }'; then
    problem "$name exposure $score is above $max_exposure; the items marked ✗:"
    printf '%s\n' "$report" | grep '✗' >&2 || true
  fi
done

# sysusers.d and tmpfiles.d: apply them to a scratch root, as the package's postinst would.
users_root="$scratch/users"
mkdir -p "$users_root/etc" "$users_root/var/lib" "$users_root/run"
for conf in "$unit_dir"/*.sysusers.conf; do
  if command -v systemd-sysusers >/dev/null 2>&1; then
    if output=$(systemd-sysusers --root="$users_root" - <"$conf" 2>&1); then
      echo "sysusers $(basename "$conf"): ok"
    else
      problem "systemd-sysusers $(basename "$conf"):"; printf '%s\n' "$output" >&2
    fi
  fi
done
for conf in "$unit_dir"/*.tmpfiles.conf; do
  if command -v systemd-tmpfiles >/dev/null 2>&1; then
    if output=$(systemd-tmpfiles --root="$users_root" --create - <"$conf" 2>&1) && [ -z "$output" ]; then
      echo "tmpfiles $(basename "$conf"): ok"
    else
      problem "systemd-tmpfiles $(basename "$conf"):"; printf '%s\n' "$output" >&2
    fi
  fi
done

if [ "$failed" -ne 0 ]; then
  echo "check-systemd-units: problems found" >&2
  exit 1
fi
echo "check-systemd-units: OK"
