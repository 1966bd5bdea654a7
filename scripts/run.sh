#!/usr/bin/env bash
# Builds portsentry and runs it in the foreground with the shipped default config
# (packaging/etc/portsentry.conf: stealth mode, nftables-native bans). Needs root.
# Extra arguments go to the daemon, e.g. `scripts/run.sh --connect -v`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --product portsentry
swift build --product portsentry-ctl
# What the package would install: the ignore files and the state directory.
install -d -m 0755 /etc/portsentry
for f in portsentry.ignore portsentry.ignore.static; do
    [ -e "/etc/portsentry/$f" ] || install -m 0644 "packaging/etc/$f" "/etc/portsentry/$f"
done
install -d -m 0700 /var/lib/portsentry /run/portsentry
exec .build/debug/portsentry -c packaging/etc/portsentry.conf "$@"
