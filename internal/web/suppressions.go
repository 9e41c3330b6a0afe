package web

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"nudge/internal/phone"
	"nudge/internal/pii"
	"nudge/internal/policy"
	"nudge/internal/store"
)

// suppressionsPerPage is the length of a page of the suppression list.
const suppressionsPerPage = 50

// suppressionsData is the suppression page's data: the list, the forms,
// and the answer of the "why" lookup when one was asked.
type suppressionsData struct {
	Rows       []suppressionRow
	Total      int64
	After      int64
	Next       int64
	Reasons    []string
	Categories []string
	// Notice says what the last action did, in the user's language;
	// Problem is the catalogue key of what was wrong with the input.
	Notice  string
	Problem string
	// Why is the lookup's answer.
	WhyPhone    string
	WhyCategory string
	Why         *whyView
}

type suppressionRow struct {
	ID      int64
	Phone   string // masked
	Reason  string
	Source  string
	Note    string
	Created string
}

type whyView struct {
	Phone    string // masked
	Decision string
	Until    string
	Lines    []string
}

// notices are the outcomes a redirect after an action may name (?done=).
var notices = map[string]string{
	"added":   "supp.msg.added",
	"exists":  "supp.msg.exists",
	"removed": "supp.msg.removed",
}

// suppressionList serves GET /suppressions: a page of the list in id order,
// phones masked, and with ?why=PHONE&category=C the policy's decision for
// that number, one line per rule.
func (c *Console) suppressionList(w http.ResponseWriter, r *http.Request) {
	if c.policy == nil {
		c.notFound(w, r)
		return
	}
	q := r.URL.Query()
	d := c.suppressionsBase()
	if key, ok := notices[q.Get("done")]; ok {
		d.Notice = c.cat.text(normalLocale(sessionFrom(r.Context()).User.Locale), key)
	}
	if a := q.Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			c.errorPage(w, r, http.StatusBadRequest, nil)
			return
		}
		d.After = n
	}
	status := http.StatusOK
	if number := strings.TrimSpace(q.Get("why")); number != "" {
		d.WhyPhone, d.WhyCategory = number, q.Get("category")
		if d.WhyCategory == "" {
			d.WhyCategory = "marketing"
		}
		rec, n, _, err := c.policy.RecipientByPhone(r.Context(), number, c.clock.Now())
		switch {
		case err != nil && isPhoneError(err):
			d.Problem, status = "supp.err.phone", http.StatusUnprocessableEntity
		case err != nil:
			c.serverError(w, r, err)
			return
		default:
			now := c.clock.Now()
			dec, lines := policy.Explain(&rec, policy.Category(d.WhyCategory), now, c.policy.Rules(), nil)
			d.Why = &whyView{Phone: pii.MaskPhone(n.E164), Decision: dec.Verdict.String(), Lines: lines}
			if dec.Verdict == policy.Defer {
				loc := c.customers.Location()
				if rec.Location != nil {
					loc = rec.Location
				}
				d.Why.Until = dec.Until.In(loc).Format("2006-01-02 15:04 MST")
			}
		}
	}
	c.suppressionPage(w, r, status, d)
}

// suppressionsBase is the page's data before the list is filled in.
func (c *Console) suppressionsBase() suppressionsData {
	d := suppressionsData{WhyCategory: "marketing"}
	for _, rs := range policy.Reasons {
		d.Reasons = append(d.Reasons, string(rs))
	}
	for _, cat := range c.policy.Rules().Categories() {
		d.Categories = append(d.Categories, string(cat))
	}
	return d
}

// suppressionPage fills in the list and renders the page.
func (c *Console) suppressionPage(w http.ResponseWriter, r *http.Request, status int, d suppressionsData) {
	ctx := r.Context()
	page, err := c.policy.Suppressions(ctx, d.After, suppressionsPerPage+1, "")
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	if len(page) > suppressionsPerPage {
		page = page[:suppressionsPerPage]
		d.Next = page[len(page)-1].ID
	}
	if d.Total, err = c.policy.CountSuppressions(ctx, ""); err != nil {
		c.serverError(w, r, err)
		return
	}
	loc := c.customers.Location()
	for _, s := range page {
		d.Rows = append(d.Rows, suppressionRow{ID: s.ID, Phone: pii.MaskPhone(s.Phone), Reason: string(s.Reason),
			Source: s.Source, Note: s.Note, Created: s.CreatedAt.In(loc).Format("2006-01-02 15:04")})
	}
	c.render(w, r, status, "suppressions", d)
}

// suppressionAdd serves POST /suppressions: phone, reason, note.
func (c *Console) suppressionAdd(w http.ResponseWriter, r *http.Request) {
	if c.policy == nil {
		c.notFound(w, r)
		return
	}
	reason, err := policy.ParseReason(r.PostForm.Get("reason"))
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, nil)
		return
	}
	user := sessionFrom(r.Context()).User.Name
	added, err := c.policy.Suppress(r.Context(), r.PostForm.Get("phone"), reason, "console:"+user, strings.TrimSpace(r.PostForm.Get("note")))
	if err != nil {
		if isPhoneError(err) {
			d := c.suppressionsBase()
			d.Problem = "supp.err.phone"
			c.suppressionPage(w, r, http.StatusUnprocessableEntity, d)
			return
		}
		c.serverError(w, r, err)
		return
	}
	c.log.Info("number suppressed", "user", user, "reason", reason, "added", added)
	done := "added"
	if !added {
		done = "exists"
	}
	http.Redirect(w, r, "/suppressions?done="+done, http.StatusSeeOther)
}

// suppressionRemove serves POST /suppressions/{id}/remove.
func (c *Console) suppressionRemove(w http.ResponseWriter, r *http.Request) {
	if c.policy == nil {
		c.notFound(w, r)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.notFound(w, r)
		return
	}
	if err := c.policy.UnsuppressID(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		c.notFound(w, r)
		return
	} else if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.log.Info("suppression removed", "user", sessionFrom(r.Context()).User.Name, "entry", id)
	http.Redirect(w, r, "/suppressions?done=removed", http.StatusSeeOther)
}

// suppressionImport serves POST /suppressions/import: CSV pasted into the
// form (the console's forms are small; large lists go through `nudge
// suppress import` or the API), one number per line with an optional
// reason and note.
func (c *Console) suppressionImport(w http.ResponseWriter, r *http.Request) {
	if c.policy == nil {
		c.notFound(w, r)
		return
	}
	reason, err := policy.ParseReason(r.PostForm.Get("reason"))
	if err != nil {
		c.errorPage(w, r, http.StatusBadRequest, nil)
		return
	}
	user := sessionFrom(r.Context()).User.Name
	res, err := c.policy.ImportSuppressions(r.Context(), strings.NewReader(r.PostForm.Get("csv")), reason, "console:"+user)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.log.Info("suppressions imported", "user", user, "added", res.Added, "existing", res.Existing, "rejected", len(res.Rejected))
	d := c.suppressionsBase()
	d.Notice = c.cat.text(normalLocale(sessionFrom(r.Context()).User.Locale), "supp.import.done", res.Added, res.Existing, len(res.Rejected))
	c.suppressionPage(w, r, http.StatusOK, d)
}

// suppressionExport serves GET /suppressions/export: the whole list as
// CSV, phones masked (the clear export is `nudge suppress export --clear`).
func (c *Console) suppressionExport(w http.ResponseWriter, r *http.Request) {
	if c.policy == nil {
		c.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", `attachment; filename="suppressions-`+c.clock.Now().Format("20060102")+`.csv"`)
	if _, err := c.policy.ExportSuppressions(r.Context(), w, false); err != nil {
		// The header is gone; all that can be done is end the file with a
		// line that says it is incomplete, and log why.
		cw := csv.NewWriter(w)
		cw.Write([]string{"# export incomplete: see the server log"})
		cw.Flush()
		c.log.Error("suppression export failed", "err", err)
	}
}

// isPhoneError tells a number that cannot be read from a store failure.
func isPhoneError(err error) bool {
	var pe *phone.Error
	return errors.As(err, &pe)
}
