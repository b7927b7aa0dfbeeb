#!/usr/bin/env bash
# `meson install --destdir` puts the binaries, the systemd unit, the example
# configuration and the docs where Debian expects them; the installed
# daemon validates the installed example; the unit names the installed
# binaries and its hardening, and `systemd-analyze verify` accepts it.
# Usage: test_install.sh BUILD_DIR PREFIX SBINDIR SYSCONFDIR DOCDIR UNITDIR
set -uo pipefail
build=$1 prefix=$2 sbindir=$3 sysconfdir=$4 docdir=$5 unitdir=$6
dest=$(mktemp -d /tmp/sb-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fails=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fails=$((fails + 1)); }

if ! out=$(meson install -C "$build" --destdir "$dest" --no-rebuild --quiet 2>&1); then
	echo "$out"
	bad "meson install --destdir"
	exit 1
fi
ok "meson install --destdir $dest (prefix $prefix)"

for f in "$sbindir/switchback" "$sbindir/switchbackctl"; do
	[ -x "$dest$f" ] && ok "$f installed, executable" || bad "$f missing"
done
unit=$dest$unitdir/switchback.service
[ -f "$unit" ] && ok "$unitdir/switchback.service installed" || bad "unit missing at $unitdir"
for f in examples/switchback.ini examples/switchback.default examples/lab/lab.ini \
	 README.md config.md metrics.md operations.md failover.md afxdp.md security.md; do
	[ -s "$dest$docdir/$f" ] && ok "$docdir/$f" || bad "$docdir/$f missing"
done
# Every picture an installed doc shows is installed beside it.
for md in "$dest$docdir"/*.md; do
	for img in $(grep -o '](\([A-Za-z0-9_.-]*\.png\))' "$md" | sed 's/^](//; s/)$//'); do
		[ -s "$dest$docdir/$img" ] && ok "$(basename "$md") shows $img: installed" ||
			bad "$(basename "$md") shows $img, not installed"
	done
done
# Nothing outside the prefix but the unit (and nothing of the tests).
stray=$(cd "$dest" && find . -type f | sed 's|^\.||' | grep -v "^$prefix/" | grep -v "^$unitdir/")
[ -z "$stray" ] && ok "nothing installed outside $prefix and $unitdir" || bad "stray files: $stray"
if (cd "$dest" && find . -name 'test_*' | grep -q .); then bad "tests installed"; else ok "no test installed"; fi

# The installed daemon checks the installed example (no EAL needed).
if out=$(LD_LIBRARY_PATH=$dest$prefix/lib "$dest$sbindir/switchback" -- \
	-c "$dest$docdir/examples/switchback.ini" --check 2>&1); then
	ok "installed switchback --check accepts the example: $out"
else
	bad "installed example refused: $out"
fi

# The unit: the installed paths, reload through switchbackctl, hardening.
grep -q "^ExecStart=$sbindir/switchback " "$unit" && ok "ExecStart runs $sbindir/switchback" ||
	bad "ExecStart: $(grep ^ExecStart= "$unit")"
grep -q "^ExecStartPre=$sbindir/switchback -- -c $sysconfdir/switchback/switchback.ini --check" "$unit" &&
	ok "ExecStartPre checks $sysconfdir/switchback/switchback.ini" || bad "ExecStartPre"
grep -q "^ExecReload=$sbindir/switchbackctl -f switchback reload$" "$unit" &&
	ok "ExecReload=switchbackctl reload" || bad "ExecReload: $(grep ^ExecReload "$unit")"
for kv in ProtectSystem=strict ProtectHome=yes Restart=on-failure NoNewPrivileges=yes \
	  LimitMEMLOCK=infinity RuntimeDirectory=dpdk/switchback; do
	grep -qx "$kv" "$unit" && ok "unit: $kv" || bad "unit lacks $kv"
done
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
for cap in CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_SYS_RAWIO; do
	case " $caps " in *" $cap "*) ok "unit keeps $cap" ;; *) bad "unit drops $cap DPDK needs" ;; esac
done
case " $caps " in *" CAP_SYS_MODULE "*|*" CAP_SYS_BOOT "*|*" CAP_SETUID "*)
	bad "unit keeps capabilities DPDK does not need: $caps" ;;
*) ok "unit bounds capabilities (no SYS_MODULE, SYS_BOOT, SETUID)" ;; esac

# systemd's own check, on a copy whose paths point into the destdir.
if command -v systemd-analyze >/dev/null; then
	v=$(mktemp -d /tmp/sb-unit.XXXXXX)
	sed "s|$sbindir/|$dest$sbindir/|g" "$unit" >"$v/switchback.service"
	if out=$(systemd-analyze verify --man=no "$v/switchback.service" 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify: no complaint"
	else
		bad "systemd-analyze verify: $out"
	fi
	rm -rf "$v"
else
	echo "ok - # SKIP systemd-analyze verify: systemd-analyze not installed"
fi
[ $fails -eq 0 ] && echo "PASS" || echo "FAIL: $fails"
exit $((fails != 0))
