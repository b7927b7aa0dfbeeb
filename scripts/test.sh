#!/usr/bin/env bash
# switchback: install what is needed, build (normal and ASan/UBSan), and run
# every test through `meson test`. Exits non-zero on any failure.
#   ./scripts/test.sh            all suites: unit, integration, lab
#   SB_SUITES="unit" ./scripts/test.sh   only some suites (space separated)
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$*"; }

step "dependencies"
./scripts/install-deps.sh

step "build (release, -Wall -Wextra -Werror)"
[ -d build ] || meson setup build
meson compile -C build

step "build (ASan/UBSan)"
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
meson compile -C build-asan

suites=${SB_SUITES:-unit integration lab}
fail=0
for s in $suites; do
	step "meson test: suite $s"
	meson test -C build --suite "$s" --print-errorlogs || fail=1
done
step "meson test (ASan/UBSan): suite unit"
# DPDK's own allocations at EAL exit are reported as leaks that are not ours.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	meson test -C build-asan --suite unit --print-errorlogs || fail=1

if [ "$fail" -ne 0 ]; then
	step "FAILED: see the logs above (build/meson-logs/testlog.txt)"
	exit 1
fi
step "all tests passed"
