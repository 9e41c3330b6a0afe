package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// The vendored front-end packages are copied from node_modules (installed
// from the root package.json) and committed, so that `go build` works on a
// fresh clone without npm; TestVendorMatchesNodeModules keeps them equal.
//go:generate sh static/vendor.sh

//go:embed static/*.css static/*.js static/vendor/*
var staticFS embed.FS

// asset is one embedded static file with what it takes to serve it well.
type asset struct {
	body  []byte
	gz    []byte // nil when compressing does not pay
	hash  string // first 16 hex digits of the SHA-256 of body
	ctype string
}

// assets serves static/ under /static/ with checksummed URLs: a URL carries
// the file's hash, so browsers may cache it for a year and a new build is
// fetched at once.
type assets struct {
	files map[string]*asset
}

func loadAssets() (*assets, error) {
	a := &assets{files: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := &asset{body: body, hash: hex.EncodeToString(sum[:8]), ctype: contentType(p)}
		if len(body) > 1024 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body)*9/10 {
				f.gz = buf.Bytes()
			}
		}
		a.files[strings.TrimPrefix(p, "static/")] = f
		return nil
	})
	return a, err
}

// contentType is fixed here rather than read from the system's MIME table,
// which differs between machines (application/javascript vs text/javascript).
func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	}
	// The rest are the vendored licence and notice files.
	return "text/plain; charset=utf-8"
}

// url returns the checksummed URL of a static file, such as
// /static/app.css?v=0123456789abcdef.
func (a *assets) url(name string) (string, bool) {
	f, ok := a.files[name]
	if !ok {
		return "", false
	}
	return "/static/" + name + "?v=" + f.hash, true
}

// ServeHTTP serves GET /static/NAME. Only a request carrying the current
// hash is marked immutable; an old or missing hash is revalidated, so a
// stale page never pins a stale script.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	etag := `"` + f.hash + `"`
	h.Set("ETag", etag)
	h.Set("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.ctype)
	body := f.body
	if f.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// acceptsGzip reads Accept-Encoding just enough: gzip listed and not
// refused with q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(params, " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
