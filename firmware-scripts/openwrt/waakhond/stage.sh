#!/bin/sh
# Lays out the installed files of the waakhond package under DEST from an unpacked bundle; the one
# list of what goes where, used by both the SDK Makefile (Package/install) and build-ipk.sh.
#
#   stage.sh DEST BUNDLE_DIR
set -eu

dest=$1
bundle=$2
files=$(CDPATH='' cd -- "$(dirname -- "$0")/files" && pwd)

[ -f "$bundle/dist/waakhond.mjs" ] || { echo "stage.sh: $bundle has no dist/waakhond.mjs (run npm run bundle)" >&2; exit 2; }

d() { mkdir -p "$dest$1"; chmod 0755 "$dest$1"; }
f() { cp "$1" "$dest$2"; chmod "$3" "$dest$2"; }

# Program and data (read-only on the router): JavaScript, dashboard, fingerprints, rules, advice.
d /usr/share/waakhond
for part in dist sensor rules firmware-scripts package.json VERSION MANIFEST bin; do
	[ ! -e "$bundle/$part" ] || cp -R "$bundle/$part" "$dest/usr/share/waakhond/"
done
# The Pi installer and remote-capture helpers are not for the router.
rm -rf "$dest/usr/share/waakhond/firmware-scripts/pi"
chmod -R u=rwX,go=rX "$dest/usr/share/waakhond"
# `waakhond check`, `waakhond lookup --data /tmp/waakhond ...` on the router's shell.
d /usr/bin
ln -sf ../share/waakhond/bin/waakhond "$dest/usr/bin/waakhond"

d /etc/init.d
f "$files/waakhond.init" /etc/init.d/waakhond 0755
d /etc/config
f "$files/waakhond.config" /etc/config/waakhond 0600
d /etc/uci-defaults
f "$files/waakhond.defaults" /etc/uci-defaults/90-waakhond 0755
d /etc/capabilities
f "$files/waakhond.capabilities" /etc/capabilities/waakhond.json 0644
d /lib/upgrade/keep.d
f "$files/waakhond.keep" /lib/upgrade/keep.d/waakhond 0644
d /usr/libexec/waakhond
f "$files/uci2json.sh" /usr/libexec/waakhond/uci2json 0755
f "$files/waakhond-run.sh" /usr/libexec/waakhond/run 0755

# LuCI: a menu entry under Services linking to the dashboard (shown only when LuCI is installed).
d /usr/share/luci/menu.d
f "$files/luci-menu.json" /usr/share/luci/menu.d/luci-app-waakhond.json 0644
d /usr/share/rpcd/acl.d
f "$files/luci-acl.json" /usr/share/rpcd/acl.d/luci-app-waakhond.json 0644
d /www/luci-static/resources/view/waakhond
f "$files/luci-dashboard.js" /www/luci-static/resources/view/waakhond/dashboard.js 0644
