#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what the tests need (dynalite from the npm registry
# into .tools/, redis-server from apt-get when it is missing), then runs gofmt, go vet and go test -race over the library and the bench module.
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
