#!/bin/sh
# Copies the console's front-end packages from node_modules into
# internal/web/static/vendor, where go:embed picks them up. The copies are
# committed so that `go build` works on a fresh clone without npm;
# TestVendorMatchesNodeModules fails when they drift from node_modules.
#
# Usage: sh internal/web/static/vendor.sh   (from anywhere; `npm ci` first)
# NODE_MODULES overrides where node_modules is (default: the module root's).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
nm=${NODE_MODULES:-$here/../../../node_modules}
out=$here/vendor
mkdir -p "$out"
copy() {
	if [ ! -f "$nm/$1" ]; then
		echo "vendor.sh: $nm/$1 is missing; run npm ci at the repository root" >&2
		exit 1
	fi
	cp "$nm/$1" "$out/$2"
}
copy htmx.org/dist/htmx.min.js htmx.min.js
copy htmx.org/LICENSE htmx.LICENSE
copy echarts/dist/echarts.min.js echarts.min.js
copy echarts/LICENSE echarts.LICENSE
copy echarts/NOTICE echarts.NOTICE
