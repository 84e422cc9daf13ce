#!/bin/sh
# Small routers (MIPS, 64-128 MB): the router runs only tcpdump, streamed over SSH to a machine that
# runs the analysis. Reconnects with backoff when the router reboots or the link drops; the daemon
# and its dashboard stay up in between (pcap-splice.mjs joins the streams).
#
#   remote-capture.sh [--router HOST] [--user root] [--iface br-lan] [--filter EXPR] [--port 22]
#                     [--cmd 'CAPTURE COMMAND'] [-- ARGS FOR 'waakhond run --stdin']
#
#   remote-capture.sh --router 192.168.1.1 -- --port 8080 --data ~/.waakhond
#
# The router needs tcpdump (opkg install tcpdump-mini) and your SSH key in
# /etc/dropbear/authorized_keys. --cmd (or WAAKHOND_CAPTURE_CMD) replaces the whole ssh command,
# e.g. for tests: --cmd 'tcpdump -i veth0 -U -w -'. WAAKHOND_CLI picks the CLI to run.
set -eu

router=''
user=root
iface=br-lan
sshport=22
filter=''
cmd=${WAAKHOND_CAPTURE_CMD:-}

while [ $# -gt 0 ]; do
	case "$1" in
		--router) router=$2; shift 2 ;;
		--user) user=$2; shift 2 ;;
		--iface) iface=$2; shift 2 ;;
		--port) sshport=$2; shift 2 ;;
		--filter) filter=$2; shift 2 ;;
		--cmd) cmd=$2; shift 2 ;;
		--) shift; break ;;
		-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
		*) echo "remote-capture: unknown option $1 (daemon flags go after --)" >&2; exit 2 ;;
	esac
done

here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd)
node=${WAAKHOND_NODE:-node}

if [ -z "$cmd" ]; then
	[ -n "$router" ] || { echo "remote-capture: --router HOST (or --cmd) is required" >&2; exit 2; }
	case "$iface" in ''|*[!A-Za-z0-9_.@:-]*) echo "remote-capture: bad interface name: $iface" >&2; exit 2 ;; esac
	case "$sshport" in ''|*[!0-9]*) echo "remote-capture: bad ssh port: $sshport" >&2; exit 2 ;; esac
	# Our own SSH stream must not be captured (it would capture itself, growing without end).
	filter=${filter:-not port $sshport}
	# BatchMode: never hang on a password prompt; keepalives notice a dead router within ~45 s.
	cmd="ssh -p $sshport -o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=15 -o ServerAliveCountMax=3 $user@$router \"tcpdump -i $iface -U -s 0 -w - '$filter'\""
fi

# The CLI: WAAKHOND_CLI, else this bundle's launcher, else the repository build, else PATH.
if [ -n "${WAAKHOND_CLI:-}" ]; then
	cli=$WAAKHOND_CLI
elif [ -x "$here/../bin/waakhond" ]; then
	cli=$here/../bin/waakhond
elif [ -f "$here/../dist/waakhond.mjs" ]; then
	cli="$node $here/../dist/waakhond.mjs"
else
	cli=waakhond
fi

echo "remote-capture: capturing with: $cmd" >&2
# $cli is word-split on purpose ("node /path/waakhond.mjs").
# shellcheck disable=SC2086
"$node" "$here/pcap-splice.mjs" -- sh -c "$cmd" | $cli run --stdin "$@"
