#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time (FUZZTIME, default
# 10s), from its committed seeds. On a failure it prints the fuzzer's output
# (the failing input is written under the package's testdata/fuzz).
set -euo pipefail
cd "$(dirname "$0")/.."
t=${FUZZTIME:-10s}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $f ($t)"
    if ! go test -run='^$' -fuzz="^$f\$" -fuzztime="$t" -fuzzminimizetime=0 "$pkg" >"$log" 2>&1; then
      grep -v '^fuzz: elapsed' "$log" | tail -40
      echo "fuzz $pkg $f: FAILED"
      exit 1
    fi
  done
done
