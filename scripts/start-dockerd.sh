#!/usr/bin/env bash
# Starts the Docker engine in the background unless one already answers, waits for it (up to
# DOCKERD_WAIT seconds, default 60) and prints its version. Safe to run any number of times.
set -euo pipefail
log="${DOCKERD_LOG:-/tmp/dockerd.log}"
wait_s="${DOCKERD_WAIT:-60}"

if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install -y docker.io" >&2; exit 1; }
  daemon_pid=""
  if pgrep -x dockerd >/dev/null; then
    echo "dockerd is already starting; waiting for it"
  else
    # A pid file left by a daemon that died stops the next one from starting.
    if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
      rm -f /var/run/docker.pid
    fi
    echo "starting dockerd (log: $log)"
    # setsid: the daemon must outlive this script and the process group that ran it.
    setsid dockerd >>"$log" 2>&1 </dev/null &
    daemon_pid=$!
  fi
  # The daemon we started is watched by pid (pgrep could miss it while it still execs).
  alive() { if [ -n "$daemon_pid" ]; then kill -0 "$daemon_pid" 2>/dev/null; else pgrep -x dockerd >/dev/null; fi; }
  for _ in $(seq "$wait_s"); do
    docker info >/dev/null 2>&1 && break
    if ! alive; then
      echo "dockerd exited; last lines of $log:" >&2; tail -n 20 "$log" >&2; exit 1
    fi
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "dockerd did not answer within ${wait_s}s; last lines of $log:" >&2; tail -n 20 "$log" >&2; exit 1
  fi
fi
docker version --format 'docker engine {{.Server.Version}} (API {{.Server.APIVersion}}), client {{.Client.Version}}'
