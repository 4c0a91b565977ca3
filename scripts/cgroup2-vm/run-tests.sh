#!/usr/bin/env bash
# npm run test:cgroup2: ctrstat's live cgroup v2 tier. Two VM boots, each running vitest once
# (vitest.cgroup2.config.ts) inside a pure cgroup v2 guest:
#   1. plain init + dockerd with the cgroupfs driver + podman (cgroupfs manager)
#   2. systemd as PID 1 + docker.service (systemd driver) + podman (systemd manager)
# The two JSON reports are merged into .vitest-cgroup2.json at the repo root. The exit status is
# non-zero when a boot failed or a test failed.
#
# Outside CI a missing package skips the tier (status 0, with a message); with CI=true it fails it
# (status 69). Options: --only cgroupfs|systemd (one boot), and anything after -- goes to vitest.
# Environment: CTRSTAT_VM_CACHE, CTRSTAT_VM_TIMEOUT (per boot, default 900 s), CTRSTAT_VM_MEM
# (default 3072 MiB), CTRSTAT_VM_CONSOLE_DIR (keep each boot's console log there).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
only=''
vitest_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --only) only=$2; shift ;;
    --) shift; vitest_args=("$@"); break ;;
    *) echo "run-tests.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
say() { echo "[test:cgroup2] $*" >&2; }

bash "$here/run-v2-vm.sh" --docker --podman --systemd --check
check=$?
if [ $check = 69 ]; then
  if [ "${CI:-}" = true ]; then say "FAILED: required packages are missing (see above)"; exit 69; fi
  say "skipped: required packages are missing (see above); with CI=true this fails"
  exit 0
elif [ $check != 0 ]; then
  exit $check
fi

# The guest runs this checkout as it is: build the addon and dist/ first (a no-op when they are current).
(cd "$repo" && npm run --silent build >/dev/null) || { say "the build failed (npm run build)"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/ctrstat-cgroup2.XXXXXX")
trap 'rm -rf "$work"' EXIT
bash "$here/image-tarball.sh" "$work/image" || { say "cannot build the test image tarball"; exit 1; }

vitest_cmd() { # vitest_cmd DRIVER
  local args=''
  [ ${#vitest_args[@]} -gt 0 ] && args=$(printf ' %q' "${vitest_args[@]}")
  printf 'bash scripts/cgroup2-vm/guest-prepare.sh %q && ' "$work/image"
  printf 'node node_modules/vitest/vitest.mjs run --config vitest.cgroup2.config.ts --reporter=default --reporter=json --outputFile.json=%q%s' \
    "$work/report-$1.json" "$args"
}

declare -A status seconds
boot() { # boot DRIVER [run-v2-vm options]
  local driver=$1; shift
  local t0 log=/dev/null
  [ -n "${CTRSTAT_VM_CONSOLE_DIR:-}" ] && mkdir -p "$CTRSTAT_VM_CONSOLE_DIR" && log=$CTRSTAT_VM_CONSOLE_DIR/console-$driver.log
  say "boot: $driver"
  t0=$(date +%s)
  CTRSTAT_VM_CONSOLE_LOG=$log bash "$here/run-v2-vm.sh" --docker --podman "$@" \
    --mem "${CTRSTAT_VM_MEM:-3072}" --timeout "${CTRSTAT_VM_TIMEOUT:-900}" \
    --workdir "$repo" --mount "$work" --env "CTRSTAT_V2_DRIVER=$driver" -- "$(vitest_cmd "$driver")"
  status[$driver]=$?
  seconds[$driver]=$(( $(date +%s) - t0 ))
  say "boot $driver: status ${status[$driver]} after ${seconds[$driver]} s"
}

drivers=(cgroupfs systemd)
[ -n "$only" ] && drivers=("$only")
for d in "${drivers[@]}"; do
  case $d in
    cgroupfs) boot cgroupfs ;;
    systemd) boot systemd --systemd ;;
    *) say "unknown driver $d"; exit 2 ;;
  esac
done

# Merge the reports (same top-level fields as vitest's JSON reporter) into .vitest-cgroup2.json.
reports=()
for d in "${drivers[@]}"; do reports+=("$d=$work/report-$d.json=${status[$d]}=${seconds[$d]}"); done
node "$here/merge-reports.mjs" "$repo/.vitest-cgroup2.json" "${reports[@]}"
merged=$?
for d in "${drivers[@]}"; do
  if [ "${status[$d]}" != 0 ]; then say "FAILED: boot $d exited with status ${status[$d]}"; exit 1; fi
done
[ $merged = 0 ] || { say "FAILED: tests failed or a report is missing (.vitest-cgroup2.json)"; exit 1; }
say "passed (${drivers[*]})"
