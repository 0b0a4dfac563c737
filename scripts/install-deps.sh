#!/usr/bin/env bash
# Installs the Debian packages Antre needs to build, run and test.
# Swift itself (6.x, /opt/swift or on PATH) is expected to be there already.
set -euo pipefail
packages=(
  pkg-config libusb-1.0-0-dev libsqlite3-dev tzdata        # build + run
  umockdev libumockdev-dev gir1.2-umockdev-1.0 python3-gi  # USB/evdev device tests
  socat zbar-tools                                         # serial and QR checks in tests
  espeak-ng sox                                            # call-out voice; audio checks in tests
  chromium chromium-driver fonts-dejavu-core curl          # the board pages in a real browser; SSE in tests
  systemd sqlite3 util-linux passwd                        # unit checks, DB checks, setpriv, groupadd
  librsvg2-bin netpbm                                      # antre report --chart FILE.png (rsvg-convert); PNG checks
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${CI:-}" = "true" ] || [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${packages[@]}"
fi
if ! command -v swift >/dev/null 2>&1; then
  if [ -x /opt/swift/usr/bin/swift ]; then
    echo "install-deps: add /opt/swift/usr/bin to PATH" >&2
  else
    echo "install-deps: Swift 6 toolchain not found (expected swift on PATH or /opt/swift)" >&2
  fi
  exit 1
fi
