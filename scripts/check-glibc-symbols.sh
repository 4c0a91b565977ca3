#!/usr/bin/env bash
# Fails when a prebuilt addon needs a newer glibc or libstdc++ than we promise to run on.
# Usage: scripts/check-glibc-symbols.sh [file.node ...]   (default: prebuilds/*/*.node)
# Limits: MAX_GLIBC (default 2.17), MAX_GLIBCXX (default 3.4.22).
set -euo pipefail
max_glibc="${MAX_GLIBC:-2.17}"
max_glibcxx="${MAX_GLIBCXX:-3.4.22}"

if [ "$#" -eq 0 ]; then
  shopt -s nullglob
  set -- prebuilds/*/*.node
  shopt -u nullglob
  [ "$#" -gt 0 ] || { echo "no prebuilds/*/*.node to check" >&2; exit 1; }
fi

# true when version $1 is above $2
above() { [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]; }

status=0
for file in "$@"; do
  # ELF e_machine (2 bytes, little endian, at offset 18): 62 = x86-64, 183 = AArch64.
  machine=$(od -An -tu2 -j18 -N2 "$file" | tr -d ' ')
  case "$machine" in
    62) objdump=objdump; arch=x86-64 ;;
    183) objdump=aarch64-linux-gnu-objdump; arch=aarch64 ;;
    *) echo "$file: unexpected ELF machine '$machine'" >&2; status=1; continue ;;
  esac
  command -v "$objdump" >/dev/null || { echo "$objdump not found (binutils for $arch)" >&2; exit 1; }
  symbols=$("$objdump" -T "$file") || { echo "$file: $objdump -T failed" >&2; status=1; continue; }
  versions=$(grep -oE 'GLIBC(XX)?_[0-9]+(\.[0-9]+)*' <<<"$symbols" | sort -Vu || true)
  newest_glibc=$(grep -E '^GLIBC_' <<<"$versions" | sed 's/^GLIBC_//' | sort -V | tail -n 1 || true)
  newest_glibcxx=$(grep -E '^GLIBCXX_' <<<"$versions" | sed 's/^GLIBCXX_//' | sort -V | tail -n 1 || true)
  problems=""
  if [ -n "$newest_glibc" ] && above "$newest_glibc" "$max_glibc"; then problems+=" GLIBC_$newest_glibc > $max_glibc;"; fi
  if [ -n "$newest_glibcxx" ] && above "$newest_glibcxx" "$max_glibcxx"; then problems+=" GLIBCXX_$newest_glibcxx > $max_glibcxx;"; fi
  [ -z "$problems" ] || status=1
  echo "$file ($arch): needs GLIBC_${newest_glibc:-none} GLIBCXX_${newest_glibcxx:-none} -> ${problems:+FAIL:}${problems:-ok}"
done
exit "$status"
