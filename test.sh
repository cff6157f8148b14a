#!/usr/bin/env bash
# Runs every test: installs what the tests need, vets, fuzzes each reader
# briefly from its seeds, then runs the whole test suite (browser tests
# included). Usage: ./test.sh
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-test-deps.sh
go vet ./...
scripts/fuzz-smoke.sh
go test -count=1 ./...
