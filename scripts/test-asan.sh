#!/usr/bin/env bash
# The integration suite against an AddressSanitizer/UBSan build of the addon:
#
#   npm run test:asan [-- test files or other vitest arguments]   (default: test/integration)
#
# Builds the addon with -DCTRSTAT_SANITIZE=ON into build-asan/build/Release (the normal build/ is left
# alone) and runs `vitest run test/integration` with CTRSTAT_PREBUILD=build-asan, which makes the
# loader (node-gyp-build, lib/native.ts) take that build, and the compiler's libasan preloaded into Node
# (an uninstrumented executable needs the runtime loaded first). Every process the tests start inherits
# both. Node's own allocations at exit are not leaks of ours: leak detection is off. The quarantine of
# freed memory is kept small, so that RSS bounds the tests check still hold. Any ASan or UBSan
# report halts the process that made it, and a report anywhere in the output fails this script even if
# no test noticed it.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=build-asan
log=$out/vitest.log
cxx=${CXX:-g++}
libasan=$("$cxx" -print-file-name=libasan.so)
if [ ! -f "$libasan" ]; then
  echo "libasan.so of $cxx not found (g++ ships it in libasan8 on Debian 12; bash scripts/setup-machine.sh packages)" >&2
  exit 1
fi

echo "=== building the sanitized addon into $out/"
CXX=$cxx npx cmake-js compile --out "$out/build" --CDCTRSTAT_SANITIZE=ON >"$out.build.log" 2>&1 || {
  cat "$out.build.log" >&2
  exit 1
}
mv "$out.build.log" "$out/build.log"
if ! nm -D "$out/build/Release/ctrstat.node" | grep __asan_report >/dev/null; then
  echo "$out/build/Release/ctrstat.node is not instrumented (a stale CMake cache without CTRSTAT_SANITIZE?)" >&2
  exit 1
fi
# The CLI tests run dist/.
npx tsup >/dev/null || exit 1

export CTRSTAT_PREBUILD=$PWD/$out
export LD_PRELOAD=$libasan
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allow_user_segv_handler=1:quarantine_size_mb=16
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

loaded=$(node -p "require('node-gyp-build').path('.')")
case "$loaded" in
  "$PWD/$out/build/Release/"*) echo "=== the loader takes $loaded" ;;
  *) echo "the loader takes $loaded, not the sanitized build" >&2; exit 1 ;;
esac

status=0
[ "$#" -gt 0 ] || set -- test/integration
npx vitest run "$@" 2>&1 | tee "$log" || status=$?
if grep -qE 'ERROR: AddressSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' "$log"; then
  echo "=== sanitizer reports in the output (see $log):" >&2
  grep -E 'ERROR: AddressSanitizer|runtime error:|SUMMARY: ' "$log" | sort | uniq -c >&2
  status=1
fi
exit "$status"
