#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ (with AddressSanitizer and UBSan) and runs each for a while.
#
#   npm run fuzz -- [--seconds N] [--build-only] [harness ...]    (default: every harness, 60 s each)
#
# Harnesses: tokenize (cpp/tokenize.*), file_set (a FileSet's reads in every mode), netlink (the
# RTM_GETLINK dump parser). Each starts from its committed seed corpus (fuzz/corpus/<corpus>/) and
# writes what it finds to build-fuzz/corpus/<harness>/ (not committed). A crash, a sanitizer report, a
# timeout (10 s on one input) or a failed check stops that harness with a non-zero exit: the input is
# saved as build-fuzz/artifacts/<harness>-crash-* (add it to the seed corpus once the bug is fixed), and
# this script exits 1 after running the rest.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=60
build_only=0
selected=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --build-only) build_only=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 64 ;;
    *) selected+=("$1"); shift ;;
  esac
done
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || { echo "--seconds must be a positive integer" >&2; exit 64; }

CXX=${FUZZ_CXX:-clang++-14}
if ! command -v "$CXX" >/dev/null; then
  echo "$CXX not found: bash scripts/setup-machine.sh packages installs clang-14 and libclang-rt-14-dev" >&2
  exit 1
fi

out=build-fuzz
mkdir -p "$out/artifacts"
flags=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -Wall -Wextra -Wno-sign-compare -Icpp)

# harness name, seed corpus, sources
declare -A corpus=([tokenize]=cgroup-files [file_set]=cgroup-files [netlink]=netlink-dumps)
declare -A sources=(
  [tokenize]="fuzz/tokenize_fuzzer.cc cpp/tokenize.cc"
  [file_set]="fuzz/file_set_fuzzer.cc cpp/file_reader.cc cpp/file_registry.cc cpp/read_gate.cc cpp/tokenize.cc"
  [netlink]="fuzz/netlink_fuzzer.cc cpp/netlink_links.cc"
)
harnesses=(tokenize file_set netlink)
[ "${#selected[@]}" -eq 0 ] || harnesses=("${selected[@]}")

failed=()
for name in "${harnesses[@]}"; do
  [ -n "${sources[$name]:-}" ] || { echo "no harness named $name (${!sources[*]})" >&2; exit 64; }
  echo "=== fuzz $name: build"
  # shellcheck disable=SC2086
  if ! "$CXX" "${flags[@]}" ${sources[$name]} -o "$out/$name"; then
    failed+=("$name (build)")
    continue
  fi
  [ "$build_only" = 1 ] && continue
  seeds="fuzz/corpus/${corpus[$name]}"
  [ -d "$seeds" ] || { echo "seed corpus $seeds is missing" >&2; failed+=("$name (corpus)"); continue; }
  mkdir -p "$out/corpus/$name"
  echo "=== fuzz $name: $seconds s from $seeds"
  # Halt on the first report of any sanitizer; leaks count too (the harnesses free what they make).
  if ! ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$out/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/$name-" "$out/corpus/$name" "$seeds" 2>"$out/$name.log"; then
    tail -n 60 "$out/$name.log" >&2
    failed+=("$name")
  else
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)' "$out/$name.log" | tr '\n' ' '
    echo
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzzing failed: ${failed[*]} (inputs in $out/artifacts/)" >&2
  exit 1
fi
if [ "$build_only" = 1 ]; then echo "built: ${harnesses[*]} (in $out/)"; else echo "fuzzing: ${harnesses[*]} ran without a finding"; fi
