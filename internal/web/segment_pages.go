package web

import (
	"errors"
	"net/http"
	"net/url"

	"nudge/internal/segment"
	"nudge/internal/store"
)

// segmentListData is the segments page's data.
type segmentListData struct {
	Segments []segmentRow
}

type segmentRow struct {
	Name, Description string
	Builtin           bool
	Link              string // the builder for this segment
	CountURL          string // fetched by htmx after the page loads
}

// segmentList serves GET /segments. Counts run a rule each, so the page
// comes at once and htmx fetches each count after it.
func (c *Console) segmentList(w http.ResponseWriter, r *http.Request) {
	if c.segments == nil {
		c.notFound(w, r)
		return
	}
	list, err := c.segments.List(r.Context())
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	var d segmentListData
	for _, sg := range list {
		q := url.Values{"name": {sg.Name}}.Encode()
		d.Segments = append(d.Segments, segmentRow{Name: sg.Name, Description: sg.Description, Builtin: sg.Builtin,
			Link: "/segments/edit?" + q, CountURL: "/segments/count?" + q})
	}
	c.render(w, r, http.StatusOK, "segments", d)
}

// segmentCountData is the count fragment: a number, or why there is none.
type segmentCountData struct {
	Counted   bool
	Customers int64
	Error     string
}

// segmentCount serves GET /segments/count?name=N (a saved segment's count)
// and POST /segments/count (the builder's rule, as typed): a fragment.
func (c *Console) segmentCount(w http.ResponseWriter, r *http.Request) {
	if c.segments == nil {
		c.notFound(w, r)
		return
	}
	var src []byte
	if r.Method == http.MethodPost {
		src = formFromValues(r.PostForm).rule()
	} else {
		sg, err := c.segments.Get(r.Context(), r.URL.Query().Get("name"))
		if errors.Is(err, store.ErrNotFound) {
			c.notFound(w, r)
			return
		}
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		src = sg.Rule
	}
	c.renderTemplate(w, r, http.StatusOK, "segments", "segment_count", c.countRule(r, src))
}

// countRule counts a rule, turning a rule error into a message for the
// builder rather than an error page.
func (c *Console) countRule(r *http.Request, src []byte) segmentCountData {
	rule, err := segment.ParseRule(src)
	if err == nil {
		var n int64
		if n, err = c.segments.Count(r.Context(), rule); err == nil {
			return segmentCountData{Counted: true, Customers: n}
		}
	}
	var re *segment.RuleError
	if errors.As(err, &re) {
		return segmentCountData{Error: re.Error()}
	}
	c.log.Error("segment count failed", "err", err)
	return segmentCountData{Error: c.text(r, "segments.count.failed")}
}

// segmentEditData is the builder's data.
type segmentEditData struct {
	Form   builderForm
	Fields []segment.FieldInfo
	Ops    []string
	// CountView is what the segment_count partial reads (.Data), as it
	// does when htmx asks for the count alone.
	CountView struct{ Data segmentCountData }
	Error     string
}

func editData(f builderForm, count segmentCountData, msg string) segmentEditData {
	d := segmentEditData{Form: f, Fields: segment.Fields(), Ops: allOps, Error: msg}
	d.CountView.Data = count
	return d
}

// allOps are the operators the builder offers; the field's check refuses
// the ones it does not take, naming the row.
var allOps = []string{"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", "before", "after",
	"within_last_days", "not_within_last_days", "within_days", "has", "has_not", "has_any", "has_all", "exists", "not_exists"}

// segmentEdit serves GET /segments/edit?name=N: the builder for a saved
// segment, or for a new one without a name.
func (c *Console) segmentEdit(w http.ResponseWriter, r *http.Request) {
	if c.segments == nil {
		c.notFound(w, r)
		return
	}
	f := builderForm{Match: "all"}.padded()
	if name := r.URL.Query().Get("name"); name != "" {
		sg, err := c.segments.Get(r.Context(), name)
		if errors.Is(err, store.ErrNotFound) {
			c.notFound(w, r)
			return
		}
		if err != nil {
			c.serverError(w, r, err)
			return
		}
		f = formFromSegment(sg)
	}
	c.render(w, r, http.StatusOK, "segment_edit", editData(f, c.countRule(r, f.rule()), ""))
}

// segmentSave serves POST /segments: create or update, then back to the
// list; a refused rule or name shows the builder again with the reason.
func (c *Console) segmentSave(w http.ResponseWriter, r *http.Request) {
	if c.segments == nil {
		c.notFound(w, r)
		return
	}
	f := formFromValues(r.PostForm)
	var err error
	if f.Existing {
		_, err = c.segments.Update(r.Context(), f.Name, f.Description, f.rule())
	} else {
		_, err = c.segments.Create(r.Context(), f.Name, f.Description, f.rule())
	}
	if err == nil {
		c.log.Info("segment saved", "segment", f.Name, "user", sessionFrom(r.Context()).User.Name)
		http.Redirect(w, r, "/segments", http.StatusSeeOther)
		return
	}
	var re *segment.RuleError
	var msg string
	switch {
	case errors.As(err, &re):
		msg = re.Error()
	case errors.Is(err, segment.ErrExists):
		msg = c.text(r, "segments.error.exists")
	case errors.Is(err, segment.ErrBadName):
		msg = c.text(r, "segments.error.name")
	case errors.Is(err, store.ErrNotFound):
		c.notFound(w, r)
		return
	default:
		c.serverError(w, r, err)
		return
	}
	f = f.padded()
	c.render(w, r, http.StatusUnprocessableEntity, "segment_edit", editData(f, c.countRule(r, f.rule()), msg))
}
