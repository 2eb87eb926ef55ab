#!/usr/bin/env bash
# libFuzzer campaigns over clipdetect's parsers (Tests/Fuzz; targets in Tests/Fuzz/Entries).
#
#   tools/fuzz.sh --list              the target names, one a line
#   tools/fuzz.sh --build             builds every target (debug, -sanitize=fuzzer + address)
#   tools/fuzz.sh TARGET SECONDS [LIBFUZZER ARGS...]
#                                     builds, then fuzzes TARGET for SECONDS with
#                                     -rss_limit_mb=2048 -timeout=2 from its committed seeds
#   tools/fuzz.sh --replay [TARGET]   runs each target once over its seeds and regressions
#
# New inputs go to $FUZZ_WORK/TARGET (default .build-fuzz/corpus/TARGET), crashes to
# $FUZZ_WORK/artifacts/TARGET/; the committed corpus is only read. Copy an input that found a bug
# into Tests/Fuzz/Targets/TARGET/regressions/ (FuzzCorpusTests replays it in the normal suite).
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=.build-fuzz
work=${FUZZ_WORK:-$scratch/corpus}
targets=(safetensors config bpe wordpiece image-header image-decode coco hub-response hub-discussions parquet)

build() {
    # SwiftPM passes the two sanitizers to swiftc as separate -sanitize= flags in no fixed
    # order, and swiftc keeps only the last: Swift code then lost either its coverage (libFuzzer
    # blind) or its ASan checks, build to build. The combined flag, last, gives both.
    swift build --package-path Tests/Fuzz --scratch-path "$scratch" -c debug \
        --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address "$@" 2>&1 | { grep -v 'ld.gold: warning: Cannot export local symbol' || true; } >&2
    return "${PIPESTATUS[0]}"
}
binary() { echo "$scratch/debug/fuzz-$1"; }
known() { [[ " ${targets[*]} " == *" $1 "* ]] || { echo "error: unknown fuzz target '$1' (tools/fuzz.sh --list)" >&2; exit 2; }; }
# LeakSanitizer stays on; Tests/Fuzz/lsan.supp names the one toolchain leak it would report.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
# Swift's own crash reporter would catch a trap first (and trip ASan while reading memory).
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/Tests/Fuzz/lsan.supp:print_suppressions=0}

case "${1:-}" in
    --list) printf '%s\n' "${targets[@]}" ;;
    --build) build ;;
    --replay)
        build
        for t in "${@:2}"; do known "$t"; done
        selected=("${@:2}"); [[ ${#selected[@]} -gt 0 ]] || selected=("${targets[@]}")
        for t in "${selected[@]}"; do
            dirs=(Tests/Fuzz/Targets/$t/corpus)
            [[ -d Tests/Fuzz/Targets/$t/regressions ]] && dirs+=(Tests/Fuzz/Targets/$t/regressions)
            echo "== $t" >&2
            "$(binary "$t")" -runs=0 -rss_limit_mb=2048 -timeout=2 "${dirs[@]}"
        done ;;
    ""|-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    *)
        t=$1; known "$t"
        seconds=${2:?usage: tools/fuzz.sh TARGET SECONDS}
        build --product "fuzz-$t"
        mkdir -p "$work/$t" "$work/artifacts/$t"
        dirs=(Tests/Fuzz/Targets/$t/corpus)
        [[ -d Tests/Fuzz/Targets/$t/regressions ]] && dirs+=(Tests/Fuzz/Targets/$t/regressions)
        exec "$(binary "$t")" "$work/$t" "${dirs[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=2 \
            -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" "${@:3}" ;;
esac
