#!/bin/sh
# prebuildify 6 always spawns: <node-gyp> rebuild --target=<v> --devdir=<d> --arch=<a> --release|--debug
# and then takes the first *.node in build/Release. Translate that call to cmake-js.
set -e
arch=""; debug=""
for a in "$@"; do
  case "$a" in
    --arch=*) arch="${a#--arch=}" ;;
    --debug) debug="--debug" ;;
  esac
done
host="$(node -p process.arch)"
toolchain=""
if [ -n "$arch" ] && [ "$arch" != "$host" ]; then
  case "$arch" in
    arm64) toolchain="--CDCMAKE_TOOLCHAIN_FILE=$(pwd)/cmake/toolchain-aarch64-linux-gnu.cmake" ;;
    *) echo "no toolchain file for --arch=$arch" >&2; exit 1 ;;
  esac
fi
exec npx cmake-js rebuild ${arch:+--arch "$arch"} $debug $toolchain
