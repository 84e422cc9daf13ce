#!/bin/sh
# Translates the UCI config /etc/config/waakhond into the daemon's JSON config on stdout; on a bad
# option it prints which one (waakhond.section.option) and why, and exits 1, so procd never starts
# the daemon on a half-understood configuration.
#
# Why POSIX sh with config_load/config_get (not a node script, not ucode/jsonfilter): it reads UCI
# through OpenWrt's own /lib/functions.sh, exactly as LuCI and `uci` see it; it costs no extra
# package and no second node process (~35 MB) at every start; and it runs under busybox ash.
# JSON strings are escaped here (backslash, double quote); control characters are refused.
# The keys are those of `waakhond run` (iface, port, host, data) and the exports schema
# (ui/server/exports/schema.ts: site_id, mqtt, syslog, webhooks).

# config_get assigns through eval (SC2154); busybox ash has `local` (SC3043).
# shellcheck disable=SC2154,SC3043
# shellcheck source=/dev/null
. "${WAAKHOND_FUNCTIONS:-/lib/functions.sh}"

err() {
	echo "waakhond: uci: $*" >&2
	exit 1
}

# jstr NAME VALUE: a JSON string.
jstr() {
	case "$2" in *[[:cntrl:]]*) err "$1: control characters are not allowed" ;; esac
	printf '"%s"' "$(printf '%s' "$2" | sed 's/[\\"]/\\&/g')"
}

# jint NAME VALUE MIN MAX: a JSON number within bounds.
jint() {
	case "$2" in ''|*[!0-9]*) err "$1: not a number: '$2'" ;; esac
	if [ "${#2}" -gt 9 ] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		err "$1: $2 is outside $3..$4"
	fi
	printf '%d' "$2"
}

# jbool NAME VALUE: UCI booleans (1/0, yes/no, on/off, true/false, enabled/disabled).
jbool() {
	case "$2" in
		1|yes|on|true|enabled) printf 'true' ;;
		0|no|off|false|disabled) printf 'false' ;;
		*) err "$1: not a boolean: '$2'" ;;
	esac
}

is_true() { [ "$(jbool "$1" "$2")" = true ]; }

abs_path() {
	case "$2" in /*) ;; *) err "$1: not an absolute path: '$2'" ;; esac
}

config_load waakhond

config_get enabled main enabled 1
config_get iface main interface br-lan
config_get port main port 8080
config_get host main host ''
config_get data main data_dir /tmp/waakhond
config_get site_id main site_id ''

jbool waakhond.main.enabled "$enabled" >/dev/null
case "$iface" in
	''|*[!A-Za-z0-9_.@:-]*) err "waakhond.main.interface: not an interface name: '$iface'" ;;
esac
[ "${#iface}" -le 15 ] || err "waakhond.main.interface: longer than 15 characters: '$iface'"
abs_path waakhond.main.data_dir "$data"
case "$host" in *[!0-9A-Fa-f.:]*) err "waakhond.main.host: not an IP address: '$host'" ;; esac

out="{\"iface\":$(jstr waakhond.main.interface "$iface")"
out="$out,\"port\":$(jint waakhond.main.port "$port" 1 65535)"
[ -z "$host" ] || out="$out,\"host\":$(jstr waakhond.main.host "$host")"
out="$out,\"data\":$(jstr waakhond.main.data_dir "$data")"

# ---- exports: only sections that are enabled; none means nothing is ever sent.
exports=''

config_get mqtt_enabled mqtt enabled 0
if is_true waakhond.mqtt.enabled "$mqtt_enabled"; then
	config_get url mqtt url ''
	config_get prefix mqtt prefix waakhond
	config_get user mqtt username ''
	config_get pass mqtt password ''
	config_get ha mqtt homeassistant 1
	case "$url" in
		mqtt://?*|mqtts://?*|ws://?*|wss://?*|tcp://?*|ssl://?*|tls://?*) ;;
		*) err "waakhond.mqtt.url: not an mqtt:// mqtts:// ws:// or wss:// URL: '$url'" ;;
	esac
	m="\"url\":$(jstr waakhond.mqtt.url "$url"),\"prefix\":$(jstr waakhond.mqtt.prefix "$prefix")"
	[ -z "$user" ] || m="$m,\"username\":$(jstr waakhond.mqtt.username "$user")"
	[ -z "$pass" ] || m="$m,\"password\":$(jstr waakhond.mqtt.password "$pass")"
	m="$m,\"homeassistant\":{\"enabled\":$(jbool waakhond.mqtt.homeassistant "$ha")}"
	exports="$exports,\"mqtt\":{$m}"
fi

config_get syslog_enabled syslog enabled 0
if is_true waakhond.syslog.enabled "$syslog_enabled"; then
	config_get transport syslog transport udp
	config_get shost syslog host 127.0.0.1
	config_get sport syslog port 514
	config_get sformat syslog format text
	config_get spath syslog path /dev/log
	case "$transport" in udp|tcp|unix) ;; *) err "waakhond.syslog.transport: udp, tcp or unix, not '$transport'" ;; esac
	case "$sformat" in text|json) ;; *) err "waakhond.syslog.format: text or json, not '$sformat'" ;; esac
	s="\"transport\":$(jstr waakhond.syslog.transport "$transport")"
	if [ "$transport" = unix ]; then
		abs_path waakhond.syslog.path "$spath"
		s="$s,\"path\":$(jstr waakhond.syslog.path "$spath")"
	else
		s="$s,\"host\":$(jstr waakhond.syslog.host "$shost"),\"port\":$(jint waakhond.syslog.port "$sport" 1 65535)"
	fi
	s="$s,\"format\":$(jstr waakhond.syslog.format "$sformat")"
	exports="$exports,\"syslog\":{$s}"
fi

hooks=''
webhook_section() {
	local sec="$1" en url fmt secret w
	config_get en "$sec" enabled 0
	is_true "waakhond.$sec.enabled" "$en" || return 0
	config_get url "$sec" url ''
	config_get fmt "$sec" format json
	config_get secret "$sec" secret ''
	case "$url" in http://?*|https://?*) ;; *) err "waakhond.$sec.url: not an http:// or https:// URL: '$url'" ;; esac
	case "$fmt" in json|ntfy) ;; *) err "waakhond.$sec.format: json or ntfy, not '$fmt'" ;; esac
	w="\"url\":$(jstr "waakhond.$sec.url" "$url"),\"format\":$(jstr "waakhond.$sec.format" "$fmt")"
	if [ -n "$secret" ]; then
		[ "${#secret}" -ge 16 ] || err "waakhond.$sec.secret: at least 16 characters"
		w="$w,\"secret\":$(jstr "waakhond.$sec.secret" "$secret")"
	fi
	hooks="$hooks,{$w}"
}
config_foreach webhook_section webhook
[ -z "$hooks" ] || exports="$exports,\"webhooks\":[${hooks#,}]"

if [ -n "$exports" ]; then
	if [ -z "$site_id" ]; then
		site_id=${WAAKHOND_HOSTNAME:-$(cat /proc/sys/kernel/hostname 2>/dev/null)}
		# Topic- and Home Assistant-safe: A-Z a-z 0-9 _ - (exports schema), at most 64.
		site_id=$(printf '%s' "${site_id:-openwrt}" | tr -c 'A-Za-z0-9_-' '-' | cut -c1-64)
	fi
	case "$site_id" in ''|*[!A-Za-z0-9_-]*) err "waakhond.main.site_id: only A-Z a-z 0-9 _ - allowed: '$site_id'" ;; esac
	[ "${#site_id}" -le 64 ] || err "waakhond.main.site_id: longer than 64 characters"
	out="$out,\"exports\":{\"site_id\":$(jstr waakhond.main.site_id "$site_id")$exports}"
fi

printf '%s}\n' "$out"
