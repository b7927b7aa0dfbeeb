#!/usr/bin/env bash
# Install every Debian package switchback needs to build, test and run its
# lab. Idempotent: installs only what is missing, runs apt-get update once
# and only when something is missing. Works non-interactively (CI).
set -euo pipefail

PKGS=(
	gcc make pkg-config meson ninja-build
	libdpdk-dev dpdk dpdk-dev dpdk-doc libbpf-dev libxdp-dev libpcap-dev
	clang-14 bpftool
	libcmocka-dev libiniparser-dev libcurl4-openssl-dev
	libmicrohttpd-dev prometheus
	python3-scapy python3-matplotlib
	libfuzzer-14-dev
	iproute2 ethtool nftables netcat-openbsd iputils-ping tcpdump procps
	dnsmasq-base
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q </dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
echo "install-deps: done"
