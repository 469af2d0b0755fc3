#!/usr/bin/env bash
# demo.sh: run the example functions (examples/hello, examples/orders, then examples/api) on this machine with the local
# runner, cmd/powertools-local: each is built for the host, started against the in-repo Lambda Runtime API
# on 127.0.0.1 and invoked with every sample event of its events/ directory; each invocation is printed
# with its response, log lines, EMF metrics (a table) and X-Ray trace (a tree with durations). Needs Go
# only: no emulator, no container, no network once the Go modules are downloaded.
#
# Overrides:
#   DEMO_FLAGS="-json"     extra flags for the runner (-json, -n 10 -c 4, ...)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
command -v go >/dev/null || { echo "demo: go is not installed" >&2; exit 1; }

# The runner, built once.
work=$(mktemp -d)
fake_pid=""
cleanup() {
	if [[ -n $fake_pid ]] && kill -0 "$fake_pid" 2>/dev/null; then
		kill -TERM "$fake_pid" 2>/dev/null || true
		wait "$fake_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/powertools-local" ./cmd/powertools-local

# Secrets Manager for orders (its payment provider's API key): the in-repo fake (internal/awsfake) on
# 127.0.0.1, which the function's unchanged AWS SDK client reaches through AWS_ENDPOINT_URL. With -v it
# writes one line per request: the demo shows the secret is fetched once and then served from the cache.
CGO_ENABLED=0 go build -trimpath -o "$work/awsfake" ./internal/awsfake/cmd/awsfake
printf '{"secrets": {"orders/payments-api-key": "pk_demo_4eC39HqLyjWDarjtT1zdp7dc"}}\n' >"$work/seed.json"
"$work/awsfake" -v -seed "$work/seed.json" >"$work/awsfake.out" 2>"$work/awsfake.log" &
fake_pid=$!
fake_url=""
for _ in $(seq 100); do
	fake_url=$(sed -n 's/^listening on //p' "$work/awsfake.out")
	[[ -n $fake_url ]] && break
	kill -0 "$fake_pid" 2>/dev/null || { echo "demo: the Secrets Manager fake did not start: $(cat "$work/awsfake.log")" >&2; exit 1; }
	sleep 0.1
done
[[ -n $fake_url ]] || { echo "demo: the Secrets Manager fake did not start" >&2; exit 1; }

# The sample events in a telling order (the first is the cold start), then any other of the directory.
events() {
	local dir=$1
	shift
	local name out=()
	for name in "$@"; do
		[[ -f $dir/$name.json ]] && out+=("$dir/$name.json")
	done
	for name in "$dir"/*.json; do
		[[ " ${out[*]} " == *" $name "* ]] || out+=("$name")
	done
	printf '%s\n' "${out[@]}"
}

status=0
run() {
	local fn=$1
	shift
	printf '\n##### examples/%s\n' "$fn"
	# The function's environment, as its template.yaml sets it; a function error (the direct invoke of
	# hello, the poison batch of orders) is part of the demo, so status 1 is expected.
	set +e
	"$work/powertools-local" ${DEMO_FLAGS:-} "$@"
	local rc=$?
	set -e
	if ((rc > 1)); then status=$rc; fi
}

mapfile -t hello_events < <(events examples/hello/events get-hello post-hello post-bad-body direct-invoke)
run hello -name hello -memory 128 -timeout 10s \
	-env POWERTOOLS_SERVICE_NAME=hello -env POWERTOOLS_LOG_LEVEL=INFO \
	./examples/hello "${hello_events[@]}"

mapfile -t orders_events < <(events examples/orders/events good-batch mixed-batch fifo-batch poison-batch)
run orders -name orders -memory 256 -timeout 30s \
	-env POWERTOOLS_SERVICE_NAME=orders -env POWERTOOLS_METRICS_NAMESPACE=Shop -env POWERTOOLS_LOG_LEVEL=INFO \
	-env PAYMENTS_API_KEY_SECRET=orders/payments-api-key -env AWS_ENDPOINT_URL="$fake_url" \
	-env AWS_REGION=us-east-1 -env AWS_ACCESS_KEY_ID=demo -env AWS_SECRET_ACCESS_KEY=demo \
	./examples/orders "${orders_events[@]}"

printf '\n##### Secrets Manager (the in-repo fake): the requests orders made\n'
sort "$work/awsfake.log" | uniq -c
echo "(the API key is fetched by the first charge, then served from the cache: powertools.Secrets(ctx))"

mapfile -t api_events < <(events examples/api/events list-http-api get-rest get-missing-function-url create-alb \
	create-invalid-alb-multivalue openapi-vpc-lattice preflight-vpc-lattice-v2 not-found-http-api direct-invoke)
run api -name products -memory 128 -timeout 10s \
	-env POWERTOOLS_SERVICE_NAME=products -env POWERTOOLS_LOG_LEVEL=INFO \
	./examples/api "${api_events[@]}"

echo
if ((status == 0)); then
	echo "demo: done (hello, orders and api, every sample event, through the Lambda runtime protocol)"
fi
exit "$status"
