# Builds release products for the benchmark scripts; source it, then
#   release_build PRODUCT...
# builds each into $SCRATCH (default .build-bench) and sets BIN to the binaries' directory.
release_build() {
    local scratch=${SCRATCH:-.build-bench} product
    for product in "$@"; do
        swift build -c release --scratch-path "$scratch" --product "$product" >/dev/null
    done
    BIN=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
}
