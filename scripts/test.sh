#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (dynalite from the npm registry
# into .tools/), then runs gofmt, go vet and go test -race over the library and the bench module.
# Servers the tests use (dynalite, the Lambda runtime API, UDP listeners for X-Ray) are started by the
# tests themselves, on 127.0.0.1, and stopped when they end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

# The library's module, then the modules kept apart so their dependencies stay out of its go.mod.
modules=(. xraybridge bench)

step "Go modules"
go version
for m in "${modules[@]}"; do (cd "$m" && go mod download); done

step "dynalite (DynamoDB API on loopback, for the tracer's AWS SDK tests)"
if [ ! -x "$root/.tools/node_modules/.bin/dynalite" ]; then
  command -v npm >/dev/null || { echo "npm is required to install dynalite (apt-get install nodejs npm)"; exit 1; }
  mkdir -p "$root/.tools"
  npm install --silent --no-audit --no-fund --prefix "$root/.tools" dynalite@4.0.0
fi
echo "dynalite: $root/.tools/node_modules/.bin/dynalite"

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*'))
if [ -n "$unformatted" ]; then echo "not formatted:"; echo "$unformatted"; exit 1; fi

step "go vet"
for m in "${modules[@]}"; do (cd "$m" && go vet ./...); done

for m in "${modules[@]}"; do
  step "go test -race ./... in $m"
  (cd "$m" && go test -race -count=1 -timeout 20m ./...)
done

step "allocation budgets, without -race (the race detector makes sync.Pool drop items at random)"
# pipefail (set above) fails the script when go test fails; grep keeps the verdict lines only.
go test -count=1 -run 'Alloc' -v ./... 2>&1 | grep -E '^(--- |ok|FAIL|panic)'

step "fuzz the event decoders, ${FUZZTIME:-3s} each (events/, internal/ddbimage/)"
for target in FuzzBody FuzzDecodeS3Key FuzzDynamoDBImage FuzzKafkaRecord FuzzCloudWatchLogsData; do
  go test -run '^$' -fuzz "^${target}\$" -fuzztime "${FUZZTIME:-3s}" ./events
done
go test -run '^$' -fuzz '^FuzzParse$' -fuzztime "${FUZZTIME:-3s}" ./internal/ddbimage

for m in "${modules[@]}"; do
  step "benchmarks in $m, once each (they must keep compiling and running)"
  (cd "$m" && go test -run '^$' -bench . -benchtime 1x -timeout 10m ./...)
done

echo
echo "all tests passed"
