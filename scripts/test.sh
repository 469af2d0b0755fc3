#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (dynalite from the npm registry
# into .tools/, redis-server from apt-get when it is missing, staticcheck and the Runtime Interface Emulator
# with go install), then runs gofmt, go vet, staticcheck and go test -race over the library, xraybridge and
# bench modules, and every fuzz target briefly. A failing test's whole output is printed, not only its verdict.
# Servers the tests use (dynalite, the Lambda runtime API, UDP listeners for X-Ray) are started by the
# tests themselves, on 127.0.0.1, and stopped when they end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }

# The library's module, then the modules kept apart so their dependencies stay out of its go.mod.
modules=(. xraybridge bench)
staticcheck_version=v0.8.2

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

step "staticcheck $staticcheck_version"
# Installed with go install at a pinned version, into GOBIN when set, else .tools/bin.
tools_bin=${GOBIN:-$root/.tools/bin}
staticcheck=$tools_bin/staticcheck
if [ ! -x "$staticcheck" ] || ! "$staticcheck" -version 2>/dev/null | grep -qF "(${staticcheck_version#v})"; then
  mkdir -p "$tools_bin"
  GOBIN=$tools_bin go install "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version"
fi
echo "staticcheck: $staticcheck"

# go test -json piped into testreport: one line per package when it passes; a failing test's whole
# output (its logs, failure messages, panic) when one fails.
report=$(mktemp -d)/testreport
trap 'rm -rf "$(dirname "$report")"' EXIT
go build -o "$report" ./internal/cmd/testreport

step "Lambda Runtime Interface Emulator (end-to-end tests of examples/api and of tracing, under the emulator)"
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

step "redis-server (Debian package, for the idempotency Redis store's tests; they start it on 127.0.0.1)"
if ! command -v redis-server >/dev/null; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server
  # The package starts a system service on 6379; the tests start their own servers and need none.
  ($sudo systemctl disable --now redis-server 2>/dev/null || $sudo service redis-server stop 2>/dev/null) || true
fi
redis-server --version

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.tools/*'))
if [ -n "$unformatted" ]; then echo "not formatted:"; echo "$unformatted"; exit 1; fi

step "go vet"
for m in "${modules[@]}"; do (cd "$m" && go vet ./...); done

step "staticcheck"
for m in "${modules[@]}"; do (cd "$m" && "$staticcheck" ./...); done

for m in "${modules[@]}"; do
  step "go test -race ./... in $m"
  (cd "$m" && go test -race -count=1 -timeout 20m -json ./... | "$report")
done

step "allocation budgets, without -race (the race detector makes sync.Pool drop items at random)"
# pipefail (set above) fails the script when go test or the report fails; -v lists each budget's verdict.
go test -count=1 -run 'Alloc' -json ./... | "$report" -v

for m in "${modules[@]}"; do
  step "benchmarks in $m, once each (they must keep compiling and running)"
  (cd "$m" && go test -run '^$' -bench . -benchtime 1x -timeout 10m ./...)
done

step "fuzzing: every fuzz target for a few seconds (seed corpus plus new inputs; scripts/fuzz.sh runs longer)"
FUZZTIME=${FUZZTIME:-3s} bash scripts/fuzz.sh

echo
echo "all tests passed"
