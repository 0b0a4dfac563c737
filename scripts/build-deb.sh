#!/usr/bin/env bash
# Builds dist/antre_VERSION_ARCH.deb from `make install PREFIX=/usr DESTDIR=<staging>`.
# The Swift runtime is linked statically (the Makefile's default), so the package needs
# only Debian libraries; Depends is libusb + sqlite plus whatever the binaries link
# (found with ldd, mapped to packages with dpkg -S). Refuses to package a binary that
# links a library no Debian package provides (e.g. a Swift runtime from /opt/swift).
# Usage: scripts/build-deb.sh [VERSION]      (default: from git tags, else 0.0.0+gitDATE.SHA)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v dpkg-deb >/dev/null || { echo "build-deb: dpkg-deb not found" >&2; exit 1; }

version=${1:-${VERSION:-}}
if [ -z "$version" ]; then
  if tag=$(git describe --tags --match 'v[0-9]*' 2>/dev/null); then
    version=$(printf '%s' "${tag#v}" | sed 's/-\([0-9]*\)-g/+\1.g/')
  else
    version="0.0.0+git$(git log -1 --format=%cd --date=format:%Y%m%d).$(git rev-parse --short HEAD)"
  fi
fi
arch=$(dpkg --print-architecture)
mkdir -p dist
stage=$(mktemp -d "${TMPDIR:-/tmp}/antre-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"

make install PREFIX=/usr DESTDIR="$stage"

# Runtime dependencies from the binaries themselves.
declare -A packages=([libusb-1.0-0]=1 [libsqlite3-0]=1)
for binary in "$stage"/usr/bin/*; do
  while read -r library; do
    [ -n "$library" ] || continue
    resolved=$(readlink -f "$library")
    owner=$(dpkg -S "$library" 2>/dev/null || dpkg -S "$resolved" 2>/dev/null || true)
    if [ -z "$owner" ]; then
      echo "build-deb: $(basename "$binary") links $library, which no Debian package provides" >&2
      echo "build-deb: build with --static-swift-stdlib (the Makefile's SWIFT_FLAGS default)" >&2
      exit 1
    fi
    packages[${owner%%:*}]=1
  done < <(ldd "$binary" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }')
done
depends=$(printf '%s\n' "${!packages[@]}" | sort | paste -sd, - | sed 's/,/, /g')

mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: antre
Version: $version
Architecture: $arch
Maintainer: Antre maintainers <antre@localhost>
Section: misc
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends
Recommends: espeak-ng
Description: queue-ticket dispenser daemon for village offices
 antred turns button presses into numbered queue tickets, commits them to
 SQLite and prints them on ESC/POS thermal printers; officers call numbers
 with the antre command over a Varlink socket. antre-board shows the calls on
 a TV and residents' phones and says them aloud (espeak-ng or recorded clips).
 Configure /etc/antre/antre.toml, then: systemctl enable --now antred antre-board
CONTROL

# Everything under /etc is the technician's: dpkg keeps local edits on upgrade.
(cd "$stage" && find etc -type f -printf '/%p\n' 2>/dev/null) >"$stage/DEBIAN/conffiles"
[ -s "$stage/DEBIAN/conffiles" ] || rm -f "$stage/DEBIAN/conffiles"

cat >"$stage/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers antre.conf
  else
    for g in antre antre-officer antre-admin; do getent group "$g" >/dev/null || groupadd --system "$g"; done
    getent passwd antre >/dev/null || useradd --system --gid antre --home-dir /var/lib/antre \
      --shell /usr/sbin/nologin --comment "Antre queue-ticket daemon" antre
  fi
  if command -v systemd-tmpfiles >/dev/null 2>&1; then
    systemd-tmpfiles --create antre.conf || true
  fi
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
    if systemctl is-active --quiet antred.service; then systemctl try-restart antred.service || true; fi
    if systemctl is-active --quiet antre-board.service; then systemctl try-restart antre-board.service || true; fi
  fi
  if command -v udevadm >/dev/null 2>&1 && ls /usr/lib/udev/rules.d/*antre* >/dev/null 2>&1; then
    udevadm control --reload-rules || true
  fi
  echo "antre: edit /etc/antre/antre.toml, check it with 'antred --check-config', then: systemctl enable --now antred"
fi
exit 0
SCRIPT
cat >"$stage/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl disable --now antre-board.service antred.service >/dev/null 2>&1 || true
fi
exit 0
SCRIPT
cat >"$stage/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
set -e
# The queue database (/var/lib/antre) is kept even on purge: it is the office's record.
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
exit 0
SCRIPT
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

deb="dist/antre_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$stage" "$deb" >/dev/null
echo "build-deb: $deb"
dpkg-deb --field "$deb" Package Version Architecture Depends
