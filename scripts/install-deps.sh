#!/usr/bin/env bash
# Installs the Debian packages that building, running and testing portsentry need.
# Swift itself comes from /opt/swift (swift.org toolchain), not from Debian.
set -euo pipefail
packages=(libpcap-dev libnftables-dev nftables pkg-config nmap iproute2 libcap2-bin iptables tcpdump procps python3 util-linux crowdsec libcurl4-openssl-dev openssl strace systemd python3-yaml python3-jsonschema tmux)
missing=()
for p in "${packages[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    # crowdsec (the fleet tests' LAPI): a non-empty online_api_credentials.yaml stops its
    # post-install step from registering with CrowdSec's central service over the network.
    mkdir -p /etc/crowdsec
    [ -s /etc/crowdsec/online_api_credentials.yaml ] || echo "# no thanks: no central API" > /etc/crowdsec/online_api_credentials.yaml
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift not found: put the Swift 6 toolchain's bin (e.g. /opt/swift/usr/bin) on PATH" >&2; exit 1; }
