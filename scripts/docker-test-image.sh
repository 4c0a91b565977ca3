#!/usr/bin/env bash
# Builds the busybox image the integration tests run (bb:local) locally, nothing downloaded: a folder
# holding busybox-static and its applet links, imported as a tarball.
set -euo pipefail
tag="${1:-bb:local}"
if docker image inspect "$tag" >/dev/null 2>&1; then exit 0; fi
bb=$(command -v busybox) || { echo "busybox not found: apt-get install -y busybox-static" >&2; exit 1; }
if ! file -L "$bb" 2>/dev/null | grep -q 'statically linked' && ldd "$bb" >/dev/null 2>&1; then
  echo "$bb is not statically linked: apt-get install -y busybox-static" >&2; exit 1
fi
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir"/{bin,tmp,proc,sys,dev,etc,data}
cp "$bb" "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
chmod 1777 "$dir/tmp"
echo 'root:x:0:0:root:/:/bin/sh' > "$dir/etc/passwd"
tar -C "$dir" -cf "$dir.tar" .
docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' "$dir.tar" "$tag" >/dev/null
rm -f "$dir.tar"
