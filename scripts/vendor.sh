#!/usr/bin/env bash
# Refresh the JavaScript libraries vendored into static files, from the npm registry.
# Run by hand when upgrading; the files are committed so that no page ever needs a CDN
# and installing needs no Node.js.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/convivencia/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fetch() {  # name@version
  (cd "$tmp" && npm pack --silent "$1" >/dev/null)
  local tarball
  tarball=$(ls "$tmp"/*.tgz)
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tarball" -C "$tmp/unpacked"
  rm "$tarball"
}

rm -rf "$dest" && mkdir -p "$dest"

fetch htmx.org@2.0.4
mkdir -p "$dest/htmx" && cp "$tmp/unpacked/package/dist/htmx.min.js" "$tmp/unpacked/package/LICENSE" "$dest/htmx/"
rm -rf "$tmp/unpacked"

fetch chart.js@4.5.0
mkdir -p "$dest/chartjs" && cp "$tmp/unpacked/package/dist/chart.umd.min.js" "$tmp/unpacked/package/LICENSE.md" "$dest/chartjs/"
rm -rf "$tmp/unpacked"

fetch leaflet@1.9.4
mkdir -p "$dest/leaflet" && cp -r "$tmp/unpacked/package/dist/leaflet.js" "$tmp/unpacked/package/dist/leaflet.css" "$tmp/unpacked/package/dist/images" "$tmp/unpacked/package/LICENSE" "$dest/leaflet/"
rm -rf "$tmp/unpacked"

cat > "$dest/VERSIONS" <<VERSIONS
htmx.org 2.0.4
chart.js 4.5.0
leaflet 1.9.4
VERSIONS
echo "vendored into $dest:"; cat "$dest/VERSIONS"
