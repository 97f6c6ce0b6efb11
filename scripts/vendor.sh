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

# The packages do not ship every source map their files name, and the hashed-name storage of
# `collectstatic` (DEBUG=false) refuses a reference to a file that is not there: drop the
# references, since production serves no maps.
find "$dest" -name '*.js' -o -name '*.css' | while read -r file; do
  sed -i -e '/^\/\/# sourceMappingURL=/d' -e '/^\/\*# sourceMappingURL=.*\*\/$/d' "$file"
done
if grep -rl 'sourceMappingURL=' "$dest"; then
  echo "a vendored file above still names a source map; strip it in scripts/vendor.sh" >&2
  exit 1
fi

cat > "$dest/VERSIONS" <<VERSIONS
htmx.org 2.0.4
chart.js 4.5.0
leaflet 1.9.4
VERSIONS
echo "vendored into $dest:"; cat "$dest/VERSIONS"
