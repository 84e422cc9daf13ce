#!/usr/bin/env bash
# Builds an installable OpenWrt package (.ipk, for opkg on OpenWrt 24.10) from the bundle, without
# the OpenWrt SDK: the same file layout as the feed Makefile (waakhond/stage.sh), the control data
# the SDK would write (Require-User makes default_postinst create the waakhond user), reproducible.
#
#   firmware-scripts/openwrt/build-ipk.sh [--bundle DIR] [--out DIR] [--format targz|ar]
#
# An .ipk is an outer archive of ./debian-binary ("2.0"), ./control.tar.gz and ./data.tar.gz.
# --format targz (default) writes the outer archive as a gzipped tar, as OpenWrt's own ipkg-build
# does for every package in the 24.10 feeds (scripts/ipkg-build); --format ar writes the Debian-style
# ar archive of opkg-utils' opkg-build (for other opkg systems).
set -euo pipefail

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
pkgdir=$here/waakhond
bundle=$repo/dist/bundle/waakhond
out=$repo/dist/openwrt
format=targz

while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) bundle=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "build-ipk: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$format" in targz|ar) ;; *) echo "build-ipk: --format targz or ar" >&2; exit 2 ;; esac

mkvar() { sed -n "s/^$1:=//p" "$pkgdir/Makefile" | head -n1; }
name=$(mkvar PKG_NAME)
version=$(mkvar PKG_VERSION)-$(mkvar PKG_RELEASE)
license=$(mkvar PKG_LICENSE)
maintainer=$(mkvar PKG_MAINTAINER)
userid=$(sed -n 's/^ *USERID:=//p' "$pkgdir/Makefile" | head -n1)
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || echo 0)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data" "$work/control" "$out"

sh "$pkgdir/stage.sh" "$work/data" "$bundle"

desc=$(sed -n '/^define Package\/waakhond\/description/,/^endef/p' "$pkgdir/Makefile" | sed '1d;$d')

cat > "$work/control/control" <<CONTROL
Package: $name
Version: $version
Depends: libc, node, tcpdump-mini | tcpdump
Source: feeds/waakhond/waakhond
SourceName: $name
License: $license
Section: net
SourceDateEpoch: $epoch
Maintainer: $maintainer
Require-User: $userid
Architecture: all
Installed-Size: @SIZE@
Description: Home-network IoT watchdog: device inventory, Mirai detection, advice
$desc
CONTROL

printf '/etc/config/waakhond\n' > "$work/control/conffiles"

# Maintainer scripts: hand over to OpenWrt's default_postinst/default_prerm (create the user from
# Require-User, run uci-defaults, enable and start the init script; stop and disable on removal).
cat > "$work/control/postinst" <<'SCRIPT'
#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
. "${IPKG_INSTROOT}/lib/functions.sh"
default_postinst "$0" "$@"
SCRIPT
cat > "$work/control/prerm" <<'SCRIPT'
#!/bin/sh
# Quarantine/pause (act): free every device and drop the fw4 include before the program goes.
if [ -z "${IPKG_INSTROOT}" ]; then
	nft delete table inet waakhond 2>/dev/null
	nft delete table bridge waakhond 2>/dev/null
	uci -q delete firewall.waakhond && uci -q commit firewall
	rm -f /etc/waakhond/act.nft
fi
[ -s "${IPKG_INSTROOT}/lib/functions.sh" ] || exit 0
. "${IPKG_INSTROOT}/lib/functions.sh"
default_prerm "$0" "$@"
SCRIPT
chmod 0755 "$work/control/postinst" "$work/control/prerm"
chmod 0644 "$work/control/control" "$work/control/conffiles"

tarit() { # DIR OUTFILE: reproducible gzipped tar of DIR's contents as ./...
  (cd "$1" && tar --format=gnu --sort=name --numeric-owner --owner=0 --group=0 --mtime="@$epoch" -cf - .) \
    | gzip -n -9 > "$2"
}
mkdir -p "$work/pkg"
tarit "$work/data" "$work/pkg/data.tar.gz"
# Installed-Size as OpenWrt's ipkg-build computes it: the bytes of the uncompressed data tar.
size=$(gzip -dc "$work/pkg/data.tar.gz" | wc -c)
sed -i "s/^Installed-Size: @SIZE@$/Installed-Size: $size/" "$work/control/control"
tarit "$work/control" "$work/pkg/control.tar.gz"
printf '2.0\n' > "$work/pkg/debian-binary"
touch -d "@$epoch" "$work/pkg/debian-binary" "$work/pkg/data.tar.gz" "$work/pkg/control.tar.gz"

ipk=$out/${name}_${version}_all.ipk
rm -f "$ipk"
if [ "$format" = ar ]; then
  # D: deterministic (zero uid/gid/mtime); member order as dpkg and opkg expect.
  (cd "$work/pkg" && ar -rcD "$ipk" debian-binary control.tar.gz data.tar.gz)
else
  (cd "$work/pkg" && tar --format=gnu --numeric-owner --owner=0 --group=0 --mtime="@$epoch" \
    -cf - ./debian-binary ./data.tar.gz ./control.tar.gz) | gzip -n -9 > "$ipk"
fi
echo "build-ipk: $ipk ($(du -b "$ipk" | cut -f1) bytes, installed size $size bytes)"
