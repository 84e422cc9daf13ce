#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real (libpcap for the native capture addon, tshark/capinfos for cross-checks,
# tcpdump, tcpreplay (line-rate test and `npm run bench -- --live`), mosquitto, chromium, shellcheck, iproute2 for namespaces, capability tools, systemd-analyze).
# Idempotent: installs only what is missing. Needs root (or sudo) when something is missing.
set -euo pipefail

# busybox (OpenWrt ash for the init/UCI tests), umoci + runc (unpack and run the OCI image),
# debootstrap + systemd-container (boot Debian with systemd to test the Pi installer and unit): issue 6.
packages=(libpcap-dev tcpdump tcpreplay tshark mosquitto chromium shellcheck iproute2 nftables curl libcap2-bin util-linux systemd binutils xz-utils busybox umoci runc debootstrap systemd-container)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "test-deps: all present (${packages[*]})"
  exit 0
fi
echo "test-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "test-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
