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

# Checks run in this shell, never inside $(...), where an exit would only leave the subshell.

# need_str NAME VALUE: control characters are refused, not mangled.
need_str() {
	case "$2" in *[[:cntrl:]]*) err "$1: control characters are not allowed" ;; esac
}

# need_int NAME VALUE MIN MAX
need_int() {
	case "$2" in ''|*[!0-9]*) err "$1: not a number: '$2'" ;; esac
	if [ "${#2}" -gt 9 ] || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
		err "$1: $2 is outside $3..$4"
	fi
}

# need_bool NAME VALUE: UCI booleans (1/0, yes/no, on/off, true/false, enabled/disabled).
need_bool() {
	case "$2" in
		1|yes|on|true|enabled|0|no|off|false|disabled) ;;
		*) err "$1: not a boolean: '$2'" ;;
	esac
}

need_abs_path() {
	case "$2" in /*) ;; *) err "$1: not an absolute path: '$2'" ;; esac
}

# jstr NAME VALUE: a JSON string (checked first); backslash and double quote escaped.
jstr() {
	need_str "$1" "$2"
	printf '"%s"' "$(printf '%s' "$2" | sed 's/[\\"]/\\&/g')"
}

# jbool VALUE: a checked UCI boolean as JSON.
jbool() {
	case "$1" in 1|yes|on|true|enabled) printf 'true' ;; *) printf 'false' ;; esac
}

# is_true NAME VALUE: checks, then tests.
is_true() {
	need_bool "$1" "$2"
	[ "$(jbool "$2")" = true ]
}

# add KEY JSON: appends "key":value to $obj.
add() {
	obj="$obj${obj:+,}\"$1\":$2"
}

config_load waakhond

config_get enabled main enabled 1
config_get iface main interface br-lan
config_get port main port 8080
config_get host main host ''
config_get data main data_dir /tmp/waakhond
config_get site_id main site_id ''
config_get metrics_token main metrics_token ''

need_bool waakhond.main.enabled "$enabled"
case "$iface" in
	''|*[!A-Za-z0-9_.@:-]*) err "waakhond.main.interface: not an interface name: '$iface'" ;;
esac
[ "${#iface}" -le 15 ] || err "waakhond.main.interface: longer than 15 characters: '$iface'"
need_int waakhond.main.port "$port" 1 65535
case "$host" in *[!0-9A-Fa-f.:]*) err "waakhond.main.host: not an IP address: '$host'" ;; esac
need_abs_path waakhond.main.data_dir "$data"
need_str waakhond.main.data_dir "$data"

obj=''
add iface "$(jstr waakhond.main.interface "$iface")"
add port "$port"
[ -z "$host" ] || add host "$(jstr waakhond.main.host "$host")"
add data "$(jstr waakhond.main.data_dir "$data")"
if [ -n "$metrics_token" ]; then
	# GET /metrics with "Authorization: Bearer <token>" (Prometheus scrapers cannot log in).
	need_str waakhond.main.metrics_token "$metrics_token"
	[ "${#metrics_token}" -ge 16 ] || err "waakhond.main.metrics_token: at least 16 characters"
	add metrics "{\"token\":$(jstr waakhond.main.metrics_token "$metrics_token")}"
fi
out=$obj

# ---- act (quarantine/pause, issue #16): only when enabled; the LAN is the watched interface.
config_get act_enabled act enabled 0
if is_true waakhond.act.enabled "$act_enabled"; then
	config_get act_auto act auto_quarantine 0
	config_get act_known act only_known_devices 0
	config_get act_port act portal_port 8089
	config_get act_cmds act mqtt_commands 0
	config_get act_key act mqtt_key ''
	need_bool waakhond.act.auto_quarantine "$act_auto"
	need_bool waakhond.act.only_known_devices "$act_known"
	need_int waakhond.act.portal_port "$act_port" 1 65535
	need_bool waakhond.act.mqtt_commands "$act_cmds"
	obj=''
	add enabled true
	add lan_iface "[$(jstr waakhond.main.interface "$iface")]"
	add auto_quarantine "$(jbool "$act_auto")"
	add only_known_devices "$(jbool "$act_known")"
	add portal_port "$act_port"
	add ruleset_file '"/etc/waakhond/act.nft"'
	if is_true waakhond.act.mqtt_commands "$act_cmds"; then
		[ "${#act_key}" -ge 32 ] || err "waakhond.act.mqtt_key: at least 32 characters"
		add mqtt_commands "{\"enabled\":true,\"key\":$(jstr waakhond.act.mqtt_key "$act_key")}"
	fi
	out="$out,\"act\":{$obj}"
fi

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
	need_str waakhond.mqtt.url "$url"
	need_str waakhond.mqtt.prefix "$prefix"
	need_str waakhond.mqtt.username "$user"
	need_str waakhond.mqtt.password "$pass"
	need_bool waakhond.mqtt.homeassistant "$ha"
	obj=''
	add url "$(jstr waakhond.mqtt.url "$url")"
	add prefix "$(jstr waakhond.mqtt.prefix "$prefix")"
	[ -z "$user" ] || add username "$(jstr waakhond.mqtt.username "$user")"
	[ -z "$pass" ] || add password "$(jstr waakhond.mqtt.password "$pass")"
	add homeassistant "{\"enabled\":$(jbool "$ha")}"
	exports="$exports,\"mqtt\":{$obj}"
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
	obj=''
	add transport "\"$transport\""
	if [ "$transport" = unix ]; then
		need_abs_path waakhond.syslog.path "$spath"
		need_str waakhond.syslog.path "$spath"
		add path "$(jstr waakhond.syslog.path "$spath")"
	else
		need_str waakhond.syslog.host "$shost"
		need_int waakhond.syslog.port "$sport" 1 65535
		add host "$(jstr waakhond.syslog.host "$shost")"
		add port "$sport"
	fi
	add format "\"$sformat\""
	exports="$exports,\"syslog\":{$obj}"
fi

hooks=''
webhook_section() {
	local sec="$1" en url fmt secret
	config_get en "$sec" enabled 0
	is_true "waakhond.$sec.enabled" "$en" || return 0
	config_get url "$sec" url ''
	config_get fmt "$sec" format json
	config_get secret "$sec" secret ''
	case "$url" in http://?*|https://?*) ;; *) err "waakhond.$sec.url: not an http:// or https:// URL: '$url'" ;; esac
	case "$fmt" in json|ntfy) ;; *) err "waakhond.$sec.format: json or ntfy, not '$fmt'" ;; esac
	need_str "waakhond.$sec.url" "$url"
	need_str "waakhond.$sec.secret" "$secret"
	obj=''
	add url "$(jstr "waakhond.$sec.url" "$url")"
	add format "\"$fmt\""
	if [ -n "$secret" ]; then
		[ "${#secret}" -ge 16 ] || err "waakhond.$sec.secret: at least 16 characters"
		add secret "$(jstr "waakhond.$sec.secret" "$secret")"
	fi
	hooks="$hooks,{$obj}"
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
	out="$out,\"exports\":{\"site_id\":\"$site_id\"$exports}"
fi

printf '{%s}\n' "$out"
