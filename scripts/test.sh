#!/usr/bin/env bash
# switchback: install what is needed, build (normal and ASan/UBSan), and run
# every test through `meson test`. Exits non-zero on any failure.
#   ./scripts/test.sh            all suites: unit, integration, lab, bench, install
#   SB_SUITES="unit" ./scripts/test.sh   only some suites (space separated)
# Suite fuzz builds build-fuzz with clang-14 (libFuzzer, ASan+UBSan) and
# runs each fuzz target for its CI budget (-Dfuzz_seconds, 30 s).
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

suites=${SB_SUITES:-unit integration lab bench install fuzz}
fail=0
# meson rewrites testlog.json on every run: keep every result here.
results=$(mktemp /tmp/switchback-results.XXXXXX)
trap 'rm -f "$results"' EXIT
collect() { cat "$1/meson-logs/testlog.json" >>"$results" 2>/dev/null || true; }
for s in $suites; do
	[ "$s" = fuzz ] && continue
	step "meson test: suite $s"
	meson test -C build --suite "$s" -v --print-errorlogs || fail=1
	collect build
done
for s in unit integration; do
	case " $suites " in *" $s "*) ;; *) continue ;; esac
	step "meson test (ASan/UBSan): suite $s"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		meson test -C build-asan --suite "$s" -v --print-errorlogs || fail=1
	collect build-asan
done

case " $suites " in *" fuzz "*)
	step "build (clang-14, libFuzzer, ASan/UBSan) and meson test: suite fuzz"
	[ -d build-fuzz ] || CC=clang-14 meson setup build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false
	meson compile -C build-fuzz
	meson test -C build-fuzz --suite fuzz -v --print-errorlogs || fail=1
	collect build-fuzz
	;;
esac

# One closing line over both builds, counted from meson's own logs.
/usr/bin/python3 - "$results" <<'PY'
import json, sys
p = f = s = 0
for path in sys.argv[1:]:
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        r = json.loads(line).get("result")
        if r == "OK":
            p += 1
        elif r == "SKIP":
            s += 1
        else:
            f += 1
print(f"\nmeson: {p} passed, {f} failed, {s} skipped")
PY

if [ "$fail" -ne 0 ]; then
	step "FAILED: see the logs above (build/meson-logs/testlog.txt)"
	exit 1
fi
step "all tests passed"
