package link

import (
	_ "embed"
	"net"
	"net/http"
	"strings"
)

//go:embed notfound.html
var notFoundPage []byte

// Handler serves GET /l/{token}: a 302 to the link's target with UTM
// parameters, the click recorded on the side.
type Handler struct {
	s *Service
}

// Handler returns the redirect handler of the service.
func (s *Service) Handler() *Handler { return &Handler{s: s} }

// Register adds the redirect route to mux. The GET pattern also answers
// HEAD requests, which are redirected too but recorded as bot traffic.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.Handle("GET /l/{token}", h)
}

// ServeHTTP redirects a short link. Unknown tokens get a friendly page in
// Chinese and English with status 404; a store failure gets 503 so that a
// phone may retry.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !validToken(token) {
		notFound(w)
		return
	}
	e, err := h.s.lookup(r.Context(), token)
	if err == ErrNotFound {
		notFound(w)
		return
	}
	if err != nil {
		h.s.log.Error("link lookup failed", "err", err)
		http.Error(w, "temporarily unavailable / 服务暂时不可用", http.StatusServiceUnavailable)
		return
	}
	ua := r.UserAgent()
	if len(ua) > 512 {
		ua = ua[:512]
	}
	h.s.rec.record(r.Context(), click{linkID: e.id, at: h.s.clock.Now().Unix(),
		ua: ua, ip: h.clientIP(r), bot: Classify(r)})
	hdr := w.Header()
	hdr["Location"] = []string{e.location}
	// Every tap must reach us to be counted: no caching by the phone or a
	// proxy. The target page should not learn the short link either.
	hdr["Cache-Control"] = []string{"no-store"}
	hdr["Referrer-Policy"] = []string{"no-referrer"}
	w.WriteHeader(http.StatusFound)
}

// clientIP is the peer address, or with TrustProxy the first address of
// X-Forwarded-For (else X-Real-IP) set by the reverse proxy in front.
func (h *Handler) clientIP(r *http.Request) string {
	if h.s.opt.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			first, _, _ := strings.Cut(xff, ",")
			return strings.TrimSpace(first)
		}
		if xr := r.Header.Get("X-Real-IP"); xr != "" {
			return strings.TrimSpace(xr)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func notFound(w http.ResponseWriter) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusNotFound)
	w.Write(notFoundPage)
}
