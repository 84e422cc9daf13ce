#!/bin/sh
# Runs the daemon under procd with its working data in RAM, copying it to flash at most every
# INTERVAL seconds and only when it changed (flash wear), and once more after the daemon stopped.
#
#   waakhond-run --data DIR [--persist DIR] [--interval SECONDS] -- COMMAND [ARGS...]
#
# procd sends SIGTERM to this process; it is passed on to the daemon (which flushes its store,
# issue 5), and the final copy happens after the daemon has exited, never in the middle of a write.
# busybox ash has `local` (SC3043).
# shellcheck disable=SC3043

data=''
persist=''
interval=3600
tick=${WAAKHOND_TICK:-5}

while [ $# -gt 0 ]; do
	case "$1" in
		--data) data=$2; shift 2 ;;
		--persist) persist=$2; shift 2 ;;
		--interval) interval=$2; shift 2 ;;
		--) shift; break ;;
		*) echo "waakhond-run: unknown option $1" >&2; exit 2 ;;
	esac
done
if [ -z "$data" ] || [ $# -eq 0 ]; then
	echo "waakhond-run: usage: --data DIR [--persist DIR] [--interval S] -- COMMAND..." >&2
	exit 2
fi
case "$interval" in ''|*[!0-9]*) interval=0 ;; esac
[ "$interval" -gt 0 ] || persist=''

log() { echo "waakhond-run: $*" >&2; }

mkdir -p "$data"

# Restore: RAM is empty after a reboot; flash holds the last copy.
if [ -n "$persist" ] && [ -d "$persist" ] && [ -z "$(ls -A "$data" 2>/dev/null)" ]; then
	if cp -a "$persist/." "$data/" 2>/dev/null; then
		rm -f "$data/.stamp"
		log "restored data from $persist"
	else
		log "could not restore data from $persist (starting empty)"
	fi
fi

# Copy DATA to PERSIST when anything changed since the last copy: into PERSIST.new, then swap by
# rename so a power cut leaves either the old or the new copy, never half of one.
save() {
	[ -n "$persist" ] || return 0
	if [ -f "$persist/.stamp" ] && [ -z "$(find "$data" -type f -newer "$persist/.stamp" 2>/dev/null | head -n 1)" ]; then
		return 0
	fi
	local new="$persist.new" old="$persist.old"
	rm -rf "$new" "$old"
	mkdir -p "$new" || { log "cannot create $new"; return 1; }
	# The stamp is taken before the copy: a write during the copy counts as a change next time.
	touch "$new/.stamp"
	if ! cp -a "$data/." "$new/" 2>/dev/null; then
		rm -rf "$new"
		log "copy to $persist failed (flash full?); keeping the previous copy"
		return 1
	fi
	sync
	[ ! -d "$persist" ] || mv "$persist" "$old"
	mv "$new" "$persist"
	rm -rf "$old"
	log "saved data to $persist"
}

"$@" &
child=$!
stopping=0
trap 'stopping=1; kill -TERM "$child" 2>/dev/null' TERM INT HUP
last=$(date +%s)
# No copy on flash yet (first start): make the first one within a minute, so the generated
# dashboard password survives an early reboot.
if [ -n "$persist" ] && [ ! -d "$persist" ] && [ "$interval" -gt "${WAAKHOND_FIRST_SAVE:=60}" ]; then
	last=$((last - interval + WAAKHOND_FIRST_SAVE))
fi

while [ "$stopping" = 0 ] && kill -0 "$child" 2>/dev/null; do
	sleep "$tick" &
	sleeper=$!
	wait "$sleeper" 2>/dev/null
	kill "$sleeper" 2>/dev/null
	now=$(date +%s)
	if [ $((now - last)) -ge "$interval" ] && [ "$interval" -gt 0 ]; then
		save
		last=$now
	fi
done
# The daemon exited by itself, or is exiting after our SIGTERM: wait for its final flush.
rc=0
wait "$child" 2>/dev/null || rc=$?
while kill -0 "$child" 2>/dev/null; do
	sleep 1
	wait "$child" 2>/dev/null || rc=$?
done
save
exit "$rc"
