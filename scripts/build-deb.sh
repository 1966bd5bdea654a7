#!/usr/bin/env bash
# Builds the Debian package: copies the source tree to .build-deb/src/portsentry,
# puts packaging/debian in place there as debian/ and runs
# `dpkg-buildpackage -b -us -uc`. The .deb, .ddeb, .changes and .buildinfo
# files end up in out/deb/.
#
#   scripts/build-deb.sh            build from the working tree (tracked and
#                                   untracked files, minus .gitignore'd ones)
#   scripts/build-deb.sh --ref REF  build from a commit (git archive REF)
#   scripts/build-deb.sh --code-ref REF
#                                   Swift code (Package.swift, Sources/,
#                                   Tests/, Benchmarks/) from commit REF, the
#                                   rest from the working tree: for packaging
#                                   work while the code in progress does not build
#
# The equivalent by hand, in a scratch copy of the tree:
#   ln -s packaging/debian debian && dpkg-buildpackage -b -us -uc
#
# Needs: swift on PATH (/opt/swift/usr/bin is added when present) and the
# Build-Depends of packaging/debian/control (plus rsync). Repeated builds are
# incremental: unchanged files keep their timestamps in the copy and SwiftPM's
# build directory (.build-deb/swift) is kept between builds.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
ref= code_ref=
case "${1:-}" in
    --ref) ref=${2:?--ref needs a commit} ;;
    --code-ref) code_ref=${2:?--code-ref needs a commit} ;;
    "") ;;
    *) echo "usage: $0 [--ref REF | --code-ref REF]" >&2; exit 2 ;;
esac

if ! command -v swift >/dev/null && [ -x /opt/swift/usr/bin/swift ]; then
    export PATH=/opt/swift/usr/bin:$PATH
fi
command -v swift >/dev/null || { echo "build-deb: swift not found on PATH" >&2; exit 1; }

work=${PORTSENTRY_DEB_BUILD_DIR:-$repo/.build-deb}
stage=$work/stage
src=$work/src/portsentry
mkdir -p "$work/src"
rm -rf "$stage" && mkdir -p "$stage"

if [ -n "$ref" ]; then
    git archive "$ref" | tar -x -C "$stage"
else
    git ls-files -z --cached --others --exclude-standard \
        | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -x -C "$stage"
    if [ -n "$code_ref" ]; then
        rm -rf "$stage/Sources" "$stage/Tests" "$stage/Benchmarks" "$stage/Package.swift"
        git archive "$code_ref" Package.swift Sources Tests Benchmarks | tar -x -C "$stage"
    fi
fi
# Package.resolved is not tracked; reuse the tree's pins when they exist.
[ -f Package.resolved ] && cp Package.resolved "$stage/"
cp -r "$stage/packaging/debian" "$stage/debian"

# Copy by content so unchanged files keep their timestamps (incremental builds).
rsync -rlc --delete "$stage/" "$src/"
rm -rf "$stage"
rm -f "$work"/src/*.deb "$work"/src/*.ddeb "$work"/src/*.changes "$work"/src/*.buildinfo

cd "$src"
SWIFT_SCRATCH=$work/swift dpkg-buildpackage -b -us -uc

mkdir -p "$repo/out/deb"
rm -f "$repo"/out/deb/*
cp "$work"/src/*.deb "$work"/src/*.changes "$work"/src/*.buildinfo "$repo/out/deb/"
cp "$work"/src/*.ddeb "$repo/out/deb/" 2>/dev/null || true
ls -l "$repo/out/deb"
