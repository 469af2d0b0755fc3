#!/usr/bin/env bash
# demo.sh: build the example functions (examples/hello, then examples/orders), run each under the AWS
# Lambda Runtime Interface Emulator (RIE) on 127.0.0.1, invoke it with every sample event in its events/
# directory and show each answer with what the function wrote: log lines, and for orders the CloudWatch
# metrics (EMF blobs, the JSON objects starting with "_aws"). Needs Go and curl (jq, when present,
# pretty-prints).
#
# The RIE is installed into <repo>/.tools/bin with `go install` when it is missing. Overrides:
#   RIE=/path/to/aws-lambda-rie   use that emulator binary
#   DEMO_PORT=9000                port of the emulator's invoke API (default: a free one)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
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
fake_pid=""
stop_fake() {
	if [[ -n $fake_pid ]] && kill -0 "$fake_pid" 2>/dev/null; then
		kill -TERM "$fake_pid" 2>/dev/null || true
		wait "$fake_pid" 2>/dev/null || true
	fi
	fake_pid=""
}
stop_rie() {
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
	rie_pid=""
}
cleanup() {
	stop_rie
	stop_fake
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

# 2. The functions, built as Lambda runs them: Linux executables named bootstrap, without the RPC mode.
functions=(hello orders)
for fn in "${functions[@]}"; do
	log "building examples/$fn"
	mkdir -p "$work/$fn"
	(cd "$root" && GOOS=linux CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -o "$work/$fn/bootstrap" "./examples/$fn")
done

# Secrets Manager for orders (its payment provider's API key): the in-repo fake (internal/awsfake) on
# 127.0.0.1, which the function's unchanged AWS SDK client reaches through AWS_ENDPOINT_URL. With -v it
# writes one line per request: the demo shows the secret is fetched once and then served from the cache.
log "building the Secrets Manager fake (internal/awsfake)"
(cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$work/awsfake" ./internal/awsfake/cmd/awsfake)
printf '{"secrets": {"orders/payments-api-key": "pk_demo_4eC39HqLyjWDarjtT1zdp7dc"}}\n' >"$work/seed.json"
"$work/awsfake" -v -seed "$work/seed.json" >"$work/awsfake.out" 2>"$work/awsfake.log" &
fake_pid=$!
fake_url=""
for _ in $(seq 100); do
	fake_url=$(sed -n 's/^listening on //p' "$work/awsfake.out")
	[[ -n $fake_url ]] && break
	kill -0 "$fake_pid" 2>/dev/null || die "the fake did not start: $(cat "$work/awsfake.log")"
	sleep 0.1
done
[[ -n $fake_url ]] || die "the fake did not start"
log "Secrets Manager fake listening on $fake_url"

# The environment of each function, as its template.yaml sets it (plus what Lambda itself sets).
env_hello=(
	AWS_LAMBDA_FUNCTION_NAME=hello
	AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128
	AWS_LAMBDA_FUNCTION_TIMEOUT=10
	POWERTOOLS_SERVICE_NAME=hello
	POWERTOOLS_LOG_LEVEL=INFO
)
env_orders=(
	AWS_LAMBDA_FUNCTION_NAME=orders
	AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256
	AWS_LAMBDA_FUNCTION_TIMEOUT=30
	POWERTOOLS_SERVICE_NAME=orders
	POWERTOOLS_METRICS_NAMESPACE=Shop
	POWERTOOLS_LOG_LEVEL=INFO
	PAYMENTS_API_KEY_SECRET=orders/payments-api-key
	AWS_ENDPOINT_URL="$fake_url"
	AWS_ACCESS_KEY_ID=demo
	AWS_SECRET_ACCESS_KEY=demo
)
# The sample events in a telling order (the first is the cold start); any other event of the directory
# follows.
events_hello=(get-hello post-hello post-bad-body direct-invoke)
events_orders=(good-batch mixed-batch fifo-batch poison-batch)

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

# start_rie runs the emulator with the function fn (the name of its build directory) and its environment
# (the array env_<fn>).
start_rie() {
	local fn=$1 invoke_port=$2 api_port=$3
	local -n fn_env="env_$fn"
	: >"$work/rie.log"
	(cd "$work" && exec setsid env -i \
		PATH=/usr/bin:/bin HOME="$work" TZ=UTC \
		AWS_REGION=us-east-1 \
		"${fn_env[@]}" \
		"$rie" \
		--runtime-interface-emulator-address "127.0.0.1:$invoke_port" \
		--runtime-api-address "127.0.0.1:$api_port" \
		--log-level warn \
		"$work/$fn/bootstrap") >"$work/rie.log" 2>&1 &
	rie_pid=$!
	for _ in $(seq 100); do
		kill -0 "$rie_pid" 2>/dev/null || return 1
		curl -s -o /dev/null "http://127.0.0.1:$invoke_port/" && return 0
		sleep 0.1
	done
	return 1
}

# start_function starts the emulator with fn, retrying on other ports if one was taken meanwhile; it sets
# port to the emulator's invoke port.
start_function() {
	local fn=$1 attempt invoke_port api_port
	port=""
	for attempt in 1 2 3; do
		invoke_port=${DEMO_PORT:-$(pick_port)}
		api_port=$(pick_port)
		[[ $api_port != "$invoke_port" ]] || continue
		if start_rie "$fn" "$invoke_port" "$api_port"; then
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
	log "$fn: emulator listening on 127.0.0.1:$port (function Runtime API on 127.0.0.1:$api_port)"
}

# 4. Invoke each function with every sample event: the known ones in a telling order (the first is the
# cold start), then any other.
pretty() {
	if command -v jq >/dev/null; then
		# An API Gateway answer carries its JSON body as a string: show it decoded.
		jq "$jq_color" 'if type == "object" and (.body | type) == "string" then .body = (.body as $b | try ($b | fromjson) catch $b) else . end' 2>/dev/null || cat
	else
		cat
	fi
}

# show_logs prints what the function wrote for one invocation (JSON log lines pretty-printed; EMF metric
# blobs, the lines starting with {"_aws", labelled "(metrics)" and left as CloudWatch receives them) and
# the emulator's REPORT line, skipping its START/END markers.
show_logs() {
	local line any=""
	while IFS= read -r line; do
		case $line in
		START\ RequestId* | END\ RequestId*) ;;
		\{\"_aws\"*) any=1; printf '(metrics) %s\n' "$line" ;;
		\{*) any=1; printf '%s\n' "$line" | pretty ;;
		*) any=1; printf '%s\n' "$line" ;;
		esac
	done
	[[ -n $any ]] || echo "(none)"
}

# invoke_all starts fn under the emulator, invokes it with each of its sample events and stops it.
invoke_all() {
	local fn=$1 events_dir=$root/examples/$1/events name event response total
	local -n known="events_$fn"
	local events=() invocations=0 shown=0
	for name in "${known[@]}"; do
		[[ -f $events_dir/$name.json ]] && events+=("$events_dir/$name.json")
	done
	for event in "$events_dir"/*.json; do
		[[ " ${events[*]} " == *" $event "* ]] || events+=("$event")
	done

	start_function "$fn"
	for event in "${events[@]}"; do
		name=$(basename "$event" .json)
		invocations=$((invocations + 1))
		printf '\n%s=== %s: %s%s  (%s)\n' "$cyan" "$fn" "$name" "$reset" "${event#"$root"/}"
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
	stop_rie
	total_invocations=$((total_invocations + invocations))
}

total_invocations=0
for fn in "${functions[@]}"; do
	invoke_all "$fn"
done

printf '\n%s=== Secrets Manager (the fake), requests made by orders:%s\n' "$cyan" "$reset"
sort "$work/awsfake.log" | uniq -c
echo "(the API key is fetched by the first charge, then served from the cache: powertools.Secrets(ctx))"

printf '\n'
log "done: $total_invocations events invoked through the Lambda runtime protocol (${functions[*]})"
