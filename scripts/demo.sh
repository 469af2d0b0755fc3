#!/usr/bin/env bash
# demo.sh: build examples/hello, run it under the AWS Lambda Runtime Interface Emulator (RIE) on
# 127.0.0.1, invoke it with every sample event in examples/hello/events and show each answer with the
# function's log lines. Needs Go and curl (jq, when present, pretty-prints).
#
# The RIE is installed into <repo>/.tools/bin with `go install` when it is missing. Overrides:
#   RIE=/path/to/aws-lambda-rie   use that emulator binary
#   DEMO_PORT=9000                port of the emulator's invoke API (default: a free one)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
events_dir=$root/examples/hello/events
rie_module=github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie

# Colours only on a terminal.
if [[ -t 1 ]]; then bold=$'\033[1m' cyan=$'\033[1;36m' reset=$'\033[0m' jq_color=-C; else bold="" cyan="" reset="" jq_color=-M; fi
log() { printf '%s%s%s\n' "$bold" "$*" "$reset" >&2; }
die() { log "demo: $*"; exit 1; }

command -v go >/dev/null || die "go is not installed"
command -v curl >/dev/null || die "curl is not installed"
[[ $(uname -s) == Linux ]] || die "the Runtime Interface Emulator runs on Linux only"

work=$(mktemp -d)
rie_pid=""
cleanup() {
	if [[ -n $rie_pid ]] && kill -0 "$rie_pid" 2>/dev/null; then
		# The emulator and the function run in their own process group: stop both, politely first.
		kill -TERM -- "-$rie_pid" 2>/dev/null || kill -TERM "$rie_pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$rie_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$rie_pid" 2>/dev/null || kill -KILL "$rie_pid" 2>/dev/null || true
		wait "$rie_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 1. The emulator.
rie=${RIE:-}
if [[ -z $rie ]]; then
	rie=$root/.tools/bin/aws-lambda-rie
	if [[ ! -x $rie ]]; then
		log "installing the Lambda Runtime Interface Emulator into .tools/bin"
		GOBIN=$root/.tools/bin GOFLAGS=-mod=mod go install "$rie_module@latest"
	fi
fi
[[ -x $rie ]] || die "no emulator at $rie"

# 2. The function, built as Lambda runs it: a Linux executable named bootstrap, without the RPC mode.
log "building examples/hello"
(cd "$root" && GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -o "$work/bootstrap" ./examples/hello)

# 3. Start the emulator on loopback: its invoke API (--runtime-interface-emulator-address, which would
# otherwise listen on every interface) and the Runtime API it serves the function
# (--runtime-api-address, 127.0.0.1:9001 by default) on two free ports. The environment is built from
# scratch, so nothing of this shell (credentials included) leaks into the function; the emulator forwards
# its environment to the function. AWS_LAMBDA_MAX_CONCURRENCY stays unset: it switches the emulator to
# another mode.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 30000))
		if port_free "$p"; then
			echo "$p"
			return
		fi
	done
	die "no free port found"
}

start_rie() {
	local invoke_port=$1 api_port=$2
	: >"$work/rie.log"
	(cd "$work" && exec setsid env -i \
		PATH=/usr/bin:/bin HOME="$work" TZ=UTC \
		AWS_LAMBDA_FUNCTION_NAME=hello \
		AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 \
		AWS_LAMBDA_FUNCTION_TIMEOUT=10 \
		AWS_REGION=us-east-1 \
		POWERTOOLS_SERVICE_NAME=hello \
		POWERTOOLS_LOG_LEVEL=INFO \
		"$rie" \
		--runtime-interface-emulator-address "127.0.0.1:$invoke_port" \
		--runtime-api-address "127.0.0.1:$api_port" \
		--log-level warn \
		"$work/bootstrap") >"$work/rie.log" 2>&1 &
	rie_pid=$!
	for _ in $(seq 100); do
		kill -0 "$rie_pid" 2>/dev/null || return 1
		curl -s -o /dev/null "http://127.0.0.1:$invoke_port/" && return 0
		sleep 0.1
	done
	return 1
}

port=""
for attempt in 1 2 3; do
	invoke_port=${DEMO_PORT:-$(pick_port)}
	api_port=$(pick_port)
	[[ $api_port != "$invoke_port" ]] || continue
	if start_rie "$invoke_port" "$api_port"; then
		port=$invoke_port
		break
	fi
	log "the emulator did not start (attempt $attempt):"
	cat "$work/rie.log" >&2
	kill -KILL -- "-$rie_pid" 2>/dev/null || true
	wait "$rie_pid" 2>/dev/null || true
	rie_pid=""
	[[ -z ${DEMO_PORT:-} ]] || break
done
[[ -n $port ]] || die "could not start the emulator"
log "emulator listening on 127.0.0.1:$port (function Runtime API on 127.0.0.1:$api_port)"

# 4. Invoke it with every sample event: the known ones in a telling order (the first is the cold start),
# then any other.
pretty() {
	if command -v jq >/dev/null; then
		# An API Gateway answer carries its JSON body as a string: show it decoded.
		jq "$jq_color" 'if type == "object" and (.body | type) == "string" then .body = (.body as $b | try ($b | fromjson) catch $b) else . end' 2>/dev/null || cat
	else
		cat
	fi
}

# show_logs prints what the function wrote for one invocation (JSON log lines pretty-printed) and the
# emulator's REPORT line, skipping its START/END markers.
show_logs() {
	local line any=""
	while IFS= read -r line; do
		case $line in
		START\ RequestId* | END\ RequestId*) ;;
		\{*) any=1; printf '%s\n' "$line" | pretty ;;
		*) any=1; printf '%s\n' "$line" ;;
		esac
	done
	[[ -n $any ]] || echo "(none)"
}

events=()
for name in get-hello post-hello post-bad-body direct-invoke; do
	[[ -f $events_dir/$name.json ]] && events+=("$events_dir/$name.json")
done
for event in "$events_dir"/*.json; do
	[[ " ${events[*]} " == *" $event "* ]] || events+=("$event")
done

invocations=0
shown=0
for event in "${events[@]}"; do
	name=$(basename "$event" .json)
	invocations=$((invocations + 1))
	printf '\n%s=== %s%s  (%s)\n' "$cyan" "$name" "$reset" "${event#"$root"/}"
	echo "--- response:"
	response=$(curl -sS -X POST --data-binary "@$event" -H 'Content-Type: application/json' \
		"http://127.0.0.1:$port/2015-03-31/functions/function/invocations")
	printf '%s\n' "$response" | pretty
	# The emulator writes the REPORT line once the invocation is over: the function's lines are out by then.
	for _ in $(seq 50); do
		(($(grep -c '^REPORT RequestId' "$work/rie.log" || true) >= invocations)) && break
		sleep 0.1
	done
	echo "--- function output:"
	total=$(wc -l <"$work/rie.log")
	tail -n "+$((shown + 1))" "$work/rie.log" | head -n "$((total - shown))" | show_logs
	shown=$total
done

printf '\n'
log "done: $invocations events invoked through the Lambda runtime protocol"
