#!/usr/bin/env bash
# Runs every test: installs what the tests need, vets, tests, and fuzzes
# each reader briefly. Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-test-deps.sh
go vet ./...
go test -count=1 ./...
scripts/fuzz-smoke.sh
