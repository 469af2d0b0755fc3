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

step "Lambda Runtime Interface Emulator (for the end-to-end tracing tests, e2e_rie_test.go)"
# Pinned, so the tests see the emulator behaviour they were written against (it drops X-Amzn-Trace-Id in
# its default mode and forwards it in its Lambda Managed Instances mode).
# RIE=/path/to/aws-lambda-rie uses that binary instead.
rie_version=v0.0.0-20261030222936-bef5c4ba774d
if [ -z "${RIE:-}" ]; then
  RIE="$root/.tools/bin/aws-lambda-rie"
  if [ ! -x "$RIE" ]; then
    GOBIN="$root/.tools/bin" GOFLAGS=-mod=mod go install "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$rie_version"
  fi
fi
export RIE
echo "emulator: $RIE"

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

for m in "${modules[@]}"; do
  step "benchmarks in $m, once each (they must keep compiling and running)"
  (cd "$m" && go test -run '^$' -bench . -benchtime 1x -timeout 10m ./...)
done

echo
echo "all tests passed"
