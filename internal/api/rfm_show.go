package api

import (
	"net/http"
	"time"

	"nudge/internal/segment"
)

// rfmOut is the RFM report with the recency x frequency heat map.
type rfmOut struct {
	segment.RFMReport
	HeatMap []segment.HeatCell `json:"heat_map"`
}

// rfmIn is the optional body of POST /api/v1/rfm.
type rfmIn struct {
	AsOf       string `json:"as_of"` // YYYY-MM-DD, default today
	WindowDays int    `json:"window_days"`
}

// rfmShow handles GET /api/v1/rfm: the latest RFM run, 404 before the
// first.
func (a *API) rfmShow(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	rep, err := a.segments.RFM(r.Context())
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	a.writeRFM(w, r, http.StatusOK, rep)
}

// rfmRefresh handles POST /api/v1/rfm: recompute now (as nudge rfm does),
// optionally as of a date and over a window, and answer the report.
func (a *API) rfmRefresh(w http.ResponseWriter, r *http.Request) {
	if !a.segmentsReady(w, r) {
		return
	}
	var in rfmIn
	if r.ContentLength != 0 {
		if err := decodeStrict(w, r, &in); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	var opt segment.RFMOptions
	if in.AsOf != "" {
		day, err := time.Parse(time.DateOnly, in.AsOf)
		if err != nil {
			a.fail(w, r, badParameter("as_of", "as_of must be a date YYYY-MM-DD"))
			return
		}
		opt.AsOf = time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, a.customers.Location())
	}
	if in.WindowDays < 0 || in.WindowDays > 3660 {
		a.fail(w, r, badParameter("window_days", "window_days must be from 1 to 3660"))
		return
	}
	opt.WindowDays = in.WindowDays
	rep, err := a.segments.RefreshRFM(r.Context(), opt)
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	a.writeRFM(w, r, http.StatusOK, rep)
}

func (a *API) writeRFM(w http.ResponseWriter, r *http.Request, status int, rep segment.RFMReport) {
	cells, err := a.segments.HeatMap(r.Context())
	if err != nil {
		a.segmentFail(w, r, err)
		return
	}
	if cells == nil {
		cells = []segment.HeatCell{}
	}
	writeJSON(w, status, rfmOut{RFMReport: rep, HeatMap: cells})
}
