#!/usr/bin/env bash
# Installs, upgrades or removes Waakhond on a Raspberry Pi or other Debian-like system with systemd.
#
#   sudo ./install.sh [--iface IF] [--port N] [--host ADDR] [--yes] [--no-start]
#   sudo ./install.sh --uninstall [--purge]
#   ./install.sh --root /tmp/r ...      install into a directory tree (tests, image builds); DESTDIR=... works too
#
# Re-running it upgrades in place: the program in /opt/waakhond is swapped atomically, the data in
# /var/lib/waakhond and the settings in /etc/waakhond are kept.
set -euo pipefail

PREFIX=/opt/waakhond
DATA=/var/lib/waakhond
CONF=/etc/waakhond
UNIT=/etc/systemd/system/waakhond.service
LINK=/usr/local/bin/waakhond
USER_NAME=waakhond
NODE_MIN=20

here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
root=${DESTDIR:-}
bundle=
iface=
port=
host=
node=
assume_yes=0
start=1
action=install
purge=0
t0=$(date +%s)

say() { printf 'waakhond: %s\n' "$*"; }
die() { printf 'waakhond: error: %s\n' "$*" >&2; exit "${2:-1}"; }

usage() {
  sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  cat <<'EOF'
Options:
  --iface IF      network interface to watch (default: asks, or the default-route interface)
  --port N        dashboard port (default 8080)
  --host ADDR     address the dashboard binds to (default: the daemon binds to the LAN side)
  --bundle DIR    the unpacked bundle to install (default: the one this script is in)
  --node PATH     node binary to use (default: node on PATH; must be >= 20)
  --root DIR      install below DIR instead of / (no systemctl, no start); also DESTDIR=DIR
  --yes, -y       do not ask; take defaults
  --no-start      install but do not (re)start the service
  --uninstall     stop and remove the service and program (keeps data and settings)
  --purge         with --uninstall: also remove data, settings and the system user
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --iface) iface=${2:?--iface needs a value}; shift 2 ;;
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --host) host=${2:?--host needs a value}; shift 2 ;;
    --bundle) bundle=${2:?--bundle needs a value}; shift 2 ;;
    --node) node=${2:?--node needs a value}; shift 2 ;;
    --root) root=${2:?--root needs a value}; shift 2 ;;
    --yes|-y) assume_yes=1; shift ;;
    --no-start) start=0; shift ;;
    --uninstall) action=uninstall; shift ;;
    --purge) purge=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" 2 ;;
  esac
done

root=${root%/}
if [ -n "$root" ]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
  start=0
elif [ "$(id -u)" -ne 0 ]; then
  die "run as root (sudo $0 $*), or use --root DIR to install into a directory" 1
fi
R() { printf '%s%s' "$root" "$1"; }

have_systemd() { [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------
uninstall() {
  if have_systemd; then
    systemctl disable --now waakhond.service 2>/dev/null || true
  fi
  # Quarantine/pause tables (act): every device is free again once the program is gone.
  if [ -z "$root" ] && command -v nft >/dev/null 2>&1; then
    nft delete table inet waakhond 2>/dev/null || true
    nft delete table bridge waakhond 2>/dev/null || true
  fi
  rm -f "$(R "$UNIT")"
  have_systemd && systemctl daemon-reload
  rm -rf "$(R "$PREFIX")" "$(R "$PREFIX").new" "$(R "$PREFIX").old"
  if [ -L "$(R "$LINK")" ]; then rm -f "$(R "$LINK")"; fi
  if [ "$purge" = 1 ]; then
    rm -rf "$(R "$DATA")" "$(R "$CONF")"
    if [ -z "$root" ]; then
      if getent passwd "$USER_NAME" >/dev/null; then userdel "$USER_NAME" 2>/dev/null || true; fi
    elif [ -f "$(R /etc/passwd)" ] && grep -q "^$USER_NAME:" "$(R /etc/passwd)"; then
      userdel --prefix "$root" "$USER_NAME" 2>/dev/null || true
    fi
    say "removed the program, data ($DATA), settings ($CONF) and user $USER_NAME"
  else
    say "removed the program; kept data in $DATA and settings in $CONF (--purge removes them)"
  fi
}

# ---------------------------------------------------------------------------------------------
find_node() {
  [ -n "$node" ] || node=$(command -v node || command -v nodejs || true)
  if [ -z "$node" ]; then
    node_help "Node.js is not installed"
  fi
  node=$(readlink -f "$node")
  local v major
  v=$("$node" -p 'process.versions.node' 2>/dev/null) || node_help "$node does not run"
  major=${v%%.*}
  if [ "$major" -lt "$NODE_MIN" ]; then
    node_help "Node.js $v at $node is too old (need $NODE_MIN or newer)"
  fi
  say "using Node.js $v ($node)"
}

node_help() {
  cat >&2 <<EOF
waakhond: error: $1.
  Waakhond needs Node.js $NODE_MIN or newer. Ways to get it:
  - Debian 13 / Raspberry Pi OS 13 (trixie) and newer:  sudo apt install nodejs
  - Raspberry Pi OS / Debian 12 (bookworm) ship Node 18: use the Node.js 20 (or newer) release
    for your CPU (arm64, armv7l) from the Node.js download page or your distribution's backports,
    then run this installer again (or pass --node /path/to/node).
  - Pi Zero / Pi 1 (armv6): Node 20 has no official armv6 build; use remote capture instead
    (firmware-scripts/remote-capture.sh on a bigger machine).
EOF
  exit 3
}

find_bundle() {
  if [ -z "$bundle" ]; then
    # Run from inside an unpacked bundle (waakhond/firmware-scripts/pi/install.sh) or from the repo.
    if [ -f "$here/../../dist/waakhond.mjs" ] && [ -f "$here/../../MANIFEST" ]; then
      bundle=$here/../..
    elif [ -d "$here/../../dist/bundle/waakhond" ]; then
      bundle=$here/../../dist/bundle/waakhond
    else
      die "no bundle found: run 'npm run bundle' first, or pass --bundle DIR" 2
    fi
  fi
  bundle=$(cd "$bundle" && pwd)
  [ -f "$bundle/dist/waakhond.mjs" ] || die "$bundle is not a Waakhond bundle (no dist/waakhond.mjs)" 2
}

# The interface of the default route (a routing-table lookup, no traffic), else the first up one.
default_iface() {
  local d
  d=$(ip -o route show default 2>/dev/null | awk '{for (i=1;i<NF;i++) if ($i=="dev") {print $(i+1); exit}}')
  if [ -z "$d" ]; then
    d=$(ip -o -4 addr show up 2>/dev/null | awk '$2!="lo" {print $2; exit}')
  fi
  printf '%s' "$d"
}

valid_iface_name() { [[ "$1" =~ ^[A-Za-z0-9_.@:-]{1,15}$ ]]; }

pick_iface() {
  local env_file current
  env_file=$(R "$CONF/waakhond.env")
  current=
  if [ -f "$env_file" ]; then
    current=$(sed -n 's/^WAAKHOND_IFACE=//p' "$env_file" | head -n1)
  fi
  if [ -z "$iface" ]; then
    local dflt=${current:-$(default_iface)}
    if [ "$assume_yes" = 0 ] && [ -t 0 ] && [ -z "$current" ]; then
      say "network interfaces with an address:"
      ip -o -4 addr show up 2>/dev/null | awk '$2!="lo" {printf "    %-12s %s\n", $2, $4}' || true
      read -r -p "waakhond: interface to watch [${dflt:-eth0}]: " iface || true
    fi
    iface=${iface:-${dflt:-eth0}}
  fi
  valid_iface_name "$iface" || die "not an interface name: $iface" 2
  if [ -z "$root" ] && [ ! -e "/sys/class/net/$iface" ]; then
    die "interface $iface does not exist (ip link shows the names)" 2
  fi
  say "watching interface $iface"
}

ensure_user() {
  if [ -z "$root" ]; then
    if ! getent passwd "$USER_NAME" >/dev/null; then
      useradd --system --user-group --home-dir "$DATA" --no-create-home \
        --shell /usr/sbin/nologin --comment "Waakhond watchdog" "$USER_NAME"
      say "created system user $USER_NAME"
    fi
  elif [ -f "$(R /etc/passwd)" ] && [ -f "$(R /etc/group)" ]; then
    if ! grep -q "^$USER_NAME:" "$(R /etc/passwd)"; then
      useradd --prefix "$root" --system --user-group --home-dir "$DATA" --no-create-home \
        --shell /usr/sbin/nologin --comment "Waakhond watchdog" "$USER_NAME"
      say "created system user $USER_NAME in $root/etc/passwd"
    fi
  else
    say "note: $root has no etc/passwd: files stay owned by root (the service creates nothing)"
    return 1
  fi
}

# Atomic program swap: copy next to the old one, then two renames (a failed copy leaves the old one).
install_program() {
  local dst new old
  dst=$(R "$PREFIX"); new=$dst.new; old=$dst.old
  mkdir -p "$(dirname "$dst")"
  rm -rf "$new" "$old"
  cp -R "$bundle" "$new"
  chown -R 0:0 "$new" 2>/dev/null || true
  chmod -R u=rwX,go=rX "$new"
  chmod 0755 "$new/dist/waakhond.mjs" "$new/bin/waakhond" 2>/dev/null || true
  # An optional native pcap addon (npm install --prefix /opt/waakhond pcap) survives upgrades.
  if [ -d "$dst/node_modules" ] && [ ! -e "$new/node_modules" ]; then cp -R "$dst/node_modules" "$new/"; fi
  if [ -e "$dst" ]; then mv "$dst" "$old"; fi
  mv "$new" "$dst"
  rm -rf "$old"
  # The CLI on PATH (waakhond check, waakhond lookup --data /var/lib/waakhond ...).
  install -d -m 0755 "$(dirname "$(R "$LINK")")"
  if [ ! -e "$(R "$LINK")" ] || [ -L "$(R "$LINK")" ]; then ln -sfn "$PREFIX/bin/waakhond" "$(R "$LINK")"; fi
}

set_env_var() { # file key value: replace or append KEY=value
  local f=$1 k=$2 v=$3
  if grep -q "^$k=" "$f"; then
    local tmp
    tmp=$(mktemp "$f.XXXXXX")
    awk -v k="$k" -v v="$v" 'BEGIN{FS=OFS="="} $1==k {print k "=" v; next} {print}' "$f" > "$tmp"
    chmod 0644 "$tmp"
    mv "$tmp" "$f"
  else
    printf '%s=%s\n' "$k" "$v" >> "$f"
  fi
}

install_config() {
  local conf env cfg owner_group
  conf=$(R "$CONF"); env=$conf/waakhond.env; cfg=$conf/config.json
  install -d -m 0755 "$conf"
  if [ ! -f "$env" ]; then
    cat > "$env" <<EOF
# Waakhond service settings (read by waakhond.service). Restart after a change:
#   sudo systemctl restart waakhond
WAAKHOND_IFACE=$iface
WAAKHOND_PORT=${port:-8080}
# Extra flags for 'waakhond run', e.g. --host 192.168.1.2 (default: binds to the LAN side).
WAAKHOND_ARGS=${host:+--host $host}
# Dashboard password instead of the generated one (the generated one is in $DATA/initial-password).
#WAAKHOND_PASSWORD=
EOF
    chmod 0644 "$env"
  else
    set_env_var "$env" WAAKHOND_IFACE "$iface"
    [ -z "$port" ] || set_env_var "$env" WAAKHOND_PORT "$port"
    [ -z "$host" ] || set_env_var "$env" WAAKHOND_ARGS "--host $host"
  fi
  port=$(sed -n 's/^WAAKHOND_PORT=//p' "$env" | head -n1)
  if [ ! -f "$cfg" ]; then
    # Exports (MQTT, syslog, webhooks) go here; nothing leaves the box until configured.
    printf '{}\n' > "$cfg"
  fi
  # Readable by the service user only: it may hold an MQTT password.
  owner_group=0
  if [ "$have_user" = 1 ]; then owner_group=$(group_id); fi
  chown "0:$owner_group" "$cfg"
  chmod 0640 "$cfg"
}

user_id() { awk -F: -v u="$USER_NAME" '$1==u {print $3}' "$(R /etc/passwd)"; }
group_id() { awk -F: -v u="$USER_NAME" '$1==u {print $3}' "$(R /etc/group)"; }

install_data_dir() {
  local d
  d=$(R "$DATA")
  install -d -m 0750 "$d"
  if [ "$have_user" = 1 ]; then chown "$(user_id):$(group_id)" "$d"; fi
}

install_unit() {
  local src=$here/waakhond.service dst
  [ -f "$src" ] || src=$(R "$PREFIX")/firmware-scripts/pi/waakhond.service
  dst=$(R "$UNIT")
  install -d -m 0755 "$(dirname "$dst")"
  sed -e "s|@NODE@|$node|g" -e "s|@PREFIX@|$PREFIX|g" -e "s|@DATA@|$DATA|g" -e "s|@CONF@|$CONF|g" \
    "$src" > "$dst.tmp"
  chmod 0644 "$dst.tmp"
  mv "$dst.tmp" "$dst"
}

lan_address() {
  ip -o -4 addr show dev "$iface" 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}'
}

# Polls /api/health at each URL for up to 30 s with node (curl may be absent); prints the first that answers.
wait_dashboard() {
  "$node" -e '
    const urls = process.argv.slice(1), until = Date.now() + 30000;
    const tick = () => Promise.any(urls.map((u) => fetch(u + "/api/health").then((r) => (r.ok ? u : Promise.reject()))))
      .then((u) => { console.log(u); process.exit(0); })
      .catch(() => (Date.now() > until ? process.exit(1) : setTimeout(tick, 250)));
    tick();' "$@"
}

ensure_tcpdump() {
  # Without the optional native pcap addon, live capture runs tcpdump as a child process.
  command -v tcpdump >/dev/null 2>&1 && return 0
  if [ -z "$root" ] && command -v apt-get >/dev/null 2>&1; then
    say "installing tcpdump (live capture)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y tcpdump >/dev/null
  else
    say "warning: tcpdump not found; install it for live capture"
  fi
}

# ---------------------------------------------------------------------------------------------
install_all() {
  find_node
  find_bundle
  local from to=unknown
  from=$(cut -d' ' -f1 "$(R "$PREFIX")/VERSION" 2>/dev/null || true)
  to=$(cut -d' ' -f1 "$bundle/VERSION" 2>/dev/null || echo unknown)
  if [ -n "$from" ]; then say "upgrading $from -> $to"; else say "installing $to"; fi
  pick_iface
  ensure_tcpdump
  have_user=0
  if ensure_user; then have_user=1; fi
  install_program
  install_data_dir
  install_config
  install_unit
  say "installed to $(R "$PREFIX"), data in $(R "$DATA"), settings in $(R "$CONF")"

  if [ -n "$root" ]; then
    say "installed into $root (not started)"
    return 0
  fi
  if ! have_systemd; then
    say "systemd is not running here; start it by hand (as $USER_NAME, with the capture capabilities only):"
    say "  sudo setpriv --reuid=$USER_NAME --regid=$USER_NAME --init-groups --inh-caps=-all,+net_raw,+net_admin --ambient-caps=+net_raw,+net_admin --bounding-set=-all,+net_raw,+net_admin -- $node $PREFIX/dist/waakhond.mjs run --iface $iface --port $port --data $DATA --config $CONF/config.json"
    return 0
  fi
  systemctl daemon-reload
  systemctl enable waakhond.service >/dev/null 2>&1
  if [ "$start" = 0 ]; then
    say "enabled; not started (--no-start): sudo systemctl start waakhond"
    return 0
  fi
  systemctl restart waakhond.service
  # The daemon binds to the interface's private address, or loopback when it has none (issue 5).
  local addr url
  addr=${host:-$(lan_address)}
  case "$addr" in ''|0.0.0.0) addr=$(lan_address) ;; esac
  if url=$(wait_dashboard ${addr:+"http://$addr:$port"} "http://127.0.0.1:$port"); then
    say "dashboard is up after $(( $(date +%s) - t0 )) s: $url/"
  else
    say "the dashboard did not answer within 30 s; see: journalctl -u waakhond -n 50"
    exit 4
  fi
  if [ -f "$DATA/initial-password" ]; then
    say "initial password: $(cat "$DATA/initial-password")  (also in $DATA/initial-password)"
  else
    say "the password was set on first install (or by WAAKHOND_PASSWORD in $CONF/waakhond.env)"
  fi
}

case "$action" in
  install) install_all ;;
  uninstall) uninstall ;;
esac
