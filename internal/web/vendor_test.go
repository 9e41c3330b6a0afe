package web

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestVendorMatchesNodeModules keeps the committed copies in static/vendor
// equal to the packages package.json pins, byte for byte. Without
// node_modules it skips, except under CI=true, where .ci/run has installed
// them and a skip would hide drift.
func TestVendorMatchesNodeModules(t *testing.T) {
	nm := filepath.Join("..", "..", "node_modules")
	if _, err := os.Stat(nm); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node_modules missing at the module root under CI=true (.ci/run runs npm ci): %v", err)
		}
		t.Skipf("no node_modules (%v); run npm ci to check the vendored files", err)
	}
	for src, dst := range map[string]string{
		"htmx.org/dist/htmx.min.js":   "htmx.min.js",
		"htmx.org/LICENSE":            "htmx.LICENSE",
		"echarts/dist/echarts.min.js": "echarts.min.js",
		"echarts/LICENSE":             "echarts.LICENSE",
		"echarts/NOTICE":              "echarts.NOTICE",
	} {
		want, err := os.ReadFile(filepath.Join(nm, src))
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		got, err := os.ReadFile(filepath.Join("static", "vendor", dst))
		if err != nil {
			t.Errorf("%s: %v", dst, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("static/vendor/%s differs from node_modules/%s: run sh internal/web/static/vendor.sh", dst, src)
		}
	}
	// And what is embedded is what is on disk.
	st, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"vendor/htmx.min.js", "vendor/echarts.min.js"} {
		disk, _ := os.ReadFile(filepath.Join("static", name))
		if f := st.files[name]; f == nil || !bytes.Equal(f.body, disk) {
			t.Errorf("embedded %s differs from the file", name)
		}
	}
}
