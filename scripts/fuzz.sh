#!/usr/bin/env bash
# Runs every fuzz target of every module for a while: its seed corpus plus new inputs.
#   FUZZTIME     how long each target fuzzes (default 3s; the test command uses the default)
#   FUZZMINTIME  the bound on minimising a failing input (default 2s), so a slow minimisation cannot eat
#                the budget
#   bash scripts/fuzz.sh                 every target, 3 s each
#   FUZZTIME=5m bash scripts/fuzz.sh     a longer run
#   bash scripts/fuzz.sh ./parser        the targets of some packages only
# A failing input is written under the package's testdata/fuzz/<Target>/ by go test: commit it, and it
# becomes part of the seed corpus that plain go test runs.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-3s}
mintime=${FUZZMINTIME:-2s}
modules=(. xraybridge bench)
packages=("$@")

# fuzz_target runs one target. Go 1.26's fuzz coordinator can end a run that found nothing with "context
# deadline exceeded" as its -fuzztime expires (go.dev/issue/75804, fixed in Go 1.27): such a run, which
# wrote no failing input, is run again, up to twice; any other failure, or a third such one, fails.
fuzz_target() {
  local mod=$1 pkg=$2 target=$3 attempt
  for attempt in 1 2 3; do
    if (cd "$mod" && go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -fuzzminimizetime "$mintime" "$pkg" >/tmp/fuzz.$$.log 2>&1); then
      return 0
    fi
    if [ "$attempt" -lt 3 ] && grep -q 'context deadline exceeded' /tmp/fuzz.$$.log && ! grep -q 'Failing input written to' /tmp/fuzz.$$.log; then
      echo "    the fuzz coordinator stopped with 'context deadline exceeded' and no failing input (go.dev/issue/75804): running $target again"
      continue
    fi
    cat /tmp/fuzz.$$.log; rm -f /tmp/fuzz.$$.log; echo "fuzz target $target in $pkg failed"; exit 1
  done
}

run_module() {
  local mod=$1; shift
  local pkgs=("$@")
  [ ${#pkgs[@]} -eq 0 ] && mapfile -t pkgs < <(cd "$mod" && go list ./...)
  for pkg in "${pkgs[@]}"; do
    local listed targets
    listed=$(cd "$mod" && go test -list '^Fuzz' "$pkg") || { echo "$listed"; echo "cannot list the fuzz targets of $pkg"; exit 1; }
    targets=$(grep '^Fuzz' <<<"$listed" || true)
    for target in $targets; do
      printf '  %-60s %s\n' "$pkg" "$target"
      fuzz_target "$mod" "$pkg" "$target"
    done
  done
  rm -f /tmp/fuzz.$$.log
}

if [ ${#packages[@]} -gt 0 ]; then
  run_module . "${packages[@]}"
else
  for m in "${modules[@]}"; do run_module "$m"; done
fi
echo "fuzzing passed ($fuzztime per target)"
