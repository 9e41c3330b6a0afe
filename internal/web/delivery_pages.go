package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"nudge/internal/auth"
	"nudge/internal/gateway"
	"nudge/internal/inbound"
	"nudge/internal/outbox"
	"nudge/internal/store"
)

// Delivery is what the gateways, message log and inbox pages read.
type Delivery struct {
	Outbox   *outbox.Store
	Gateways *gateway.Store
	Registry *gateway.Registry
	Inbox    Inbox
}

// Inbox lists customers' replies and closes them; *inbound.Service is one.
type Inbox interface {
	Inbox(ctx context.Context, f inbound.InboxFilter) ([]inbound.Item, error)
	MarkHandled(ctx context.Context, id int64) (bool, error)
}

// gatewayRow is one gateway on the gateways page: state from every
// dispatcher that reported within 15 s, the URL's secrets redacted.
type gatewayRow struct {
	Name, Kind, URL, Problem string
	Enabled                  bool
	Lines                    []outbox.LineStatus
}

type gatewaysData struct {
	Gateways []gatewayRow
	Admin    bool
	Error    string // the add form's error, already translated or the URL check's words
	Name     string // the add form's name, kept on error (never the URL: it holds secrets)
}

// gatewayList serves GET /gateways.
func (c *Console) gatewayList(w http.ResponseWriter, r *http.Request) {
	c.renderGateways(w, r, http.StatusOK, "", "")
}

func (c *Console) renderGateways(w http.ResponseWriter, r *http.Request, status int, formErr, name string) {
	if c.delivery == nil {
		c.notFound(w, r)
		return
	}
	ctx := r.Context()
	recs, err := c.delivery.Gateways.List(ctx)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	lines, err := outbox.GatewayStatuses(ctx, c.delivery.Outbox.DB(), c.clock.Now(), 15*time.Second)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d := gatewaysData{Admin: sessionFrom(ctx).User.Role == auth.RoleAdmin, Error: formErr, Name: name}
	for _, rec := range recs {
		row := gatewayRow{Name: rec.Name, Kind: c.delivery.Registry.KindOf(rec.Scheme), URL: gateway.RedactURL(rec.URL), Enabled: rec.Enabled}
		if _, err := c.delivery.Registry.Check(rec.Name, rec.URL); err != nil {
			row.Problem = err.Error()
		}
		for _, l := range lines {
			if l.Gateway == rec.Name {
				row.Lines = append(row.Lines, l)
			}
		}
		d.Gateways = append(d.Gateways, row)
	}
	c.render(w, r, status, "gateways", d)
}

// gatewayAdd serves POST /gateways (administrators): check the URL without
// connecting, seal and store it. Running dispatchers start it within
// seconds. On error the form comes back with the name but not the URL.
func (c *Console) gatewayAdd(w http.ResponseWriter, r *http.Request) {
	if c.delivery == nil {
		c.notFound(w, r)
		return
	}
	if sessionFrom(r.Context()).User.Role != auth.RoleAdmin {
		c.errorPage(w, r, http.StatusForbidden, nil)
		return
	}
	name, raw := strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("url"))
	cfg, err := c.delivery.Registry.Check(name, raw)
	if err == nil {
		err = c.delivery.Gateways.Add(r.Context(), cfg)
	}
	if err != nil {
		c.renderGateways(w, r, http.StatusUnprocessableEntity, err.Error(), name)
		return
	}
	http.Redirect(w, r, "/gateways", http.StatusSeeOther)
}

// gatewayRemove serves POST /gateways/{name}/remove (administrators).
func (c *Console) gatewayRemove(w http.ResponseWriter, r *http.Request) {
	if c.delivery == nil {
		c.notFound(w, r)
		return
	}
	if sessionFrom(r.Context()).User.Role != auth.RoleAdmin {
		c.errorPage(w, r, http.StatusForbidden, nil)
		return
	}
	if err := c.delivery.Gateways.Remove(r.Context(), r.PathValue("name")); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			c.notFound(w, r)
			return
		}
		c.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gateways", http.StatusSeeOther)
}

type gatewayLogData struct {
	Name    string
	Entries []gateway.LogEntry
	Failed  bool
}

// gatewayLog serves GET /gateways/{name}/log: the newest 200 exchanges,
// numbers masked and secrets redacted when they were written.
func (c *Console) gatewayLog(w http.ResponseWriter, r *http.Request) {
	if c.delivery == nil {
		c.notFound(w, r)
		return
	}
	d := gatewayLogData{Name: r.PathValue("name"), Failed: r.URL.Query().Get("failed") == "1"}
	es, err := gateway.ReadLog(r.Context(), c.delivery.Outbox.DB(), d.Name, 0, 200, d.Failed)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	for i, k := 0, len(es)-1; i < k; i, k = i+1, k-1 {
		es[i], es[k] = es[k], es[i] // newest first on screen
	}
	d.Entries = es
	c.render(w, r, http.StatusOK, "gateway_log", d)
}

// messagesPerPage is the length of a page of the message log.
const messagesPerPage = 50

type messagesData struct {
	Status, Source, Gateway, Phone string
	Review                         bool
	Statuses                       []outbox.Status
	Messages                       []outbox.View
	Next                           string // the query of the next page, "" on the last
	Totals                         map[string]int64
	Error                          string
}

// messageList serves GET /messages: the message log, newest first, with
// filters (status, source KIND:REF, gateway, phone, held for review).
func (c *Console) messageList(w http.ResponseWriter, r *http.Request) {
	if c.delivery == nil {
		c.notFound(w, r)
		return
	}
	q := r.URL.Query()
	d := messagesData{Status: q.Get("status"), Source: strings.TrimSpace(q.Get("source")), Gateway: q.Get("gateway"),
		Phone: strings.TrimSpace(q.Get("phone")), Review: q.Get("review") == "1", Statuses: outbox.Statuses}
	f := outbox.Filter{Status: outbox.Status(d.Status), Gateway: d.Gateway, Phone: d.Phone, Review: d.Review, Limit: messagesPerPage}
	if b := q.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			c.errorPage(w, r, http.StatusBadRequest, nil)
			return
		}
		f.Before = n
	}
	if d.Source != "" {
		kind, ref, _ := strings.Cut(d.Source, ":")
		f.Source = &outbox.Source{Kind: kind, Ref: ref}
	}
	ms, err := c.delivery.Outbox.List(r.Context(), f)
	if err != nil && d.Phone != "" {
		d.Error = c.text(r, "messages.bad_phone")
		err = nil
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d.Messages = ms
	if len(ms) == messagesPerPage {
		nq := url.Values{}
		for k, v := range q {
			nq[k] = v
		}
		nq.Set("before", strconv.FormatInt(ms[len(ms)-1].ID, 10))
		d.Next = nq.Encode()
	}
	if d.Totals, err = c.delivery.Outbox.Totals(r.Context()); err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "messages", d)
}

type messageData struct {
	M       outbox.View
	History []outbox.Event
}

// messageShow serves GET /messages/{id}: a message, its parts with their
// gateway ids and receipts, and its history.
func (c *Console) messageShow(w http.ResponseWriter, r *http.Request) {
	if c.delivery == nil {
		c.notFound(w, r)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.notFound(w, r)
		return
	}
	v, err := c.delivery.Outbox.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		c.notFound(w, r)
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "message", messageData{M: v, History: v.History()})
}

type inboxData struct {
	All   bool
	Items []inbound.Item
}

// inboxList serves GET /inbox: replies waiting for a person (?all=1: every
// reply, opt-outs and confirmations included).
func (c *Console) inboxList(w http.ResponseWriter, r *http.Request) {
	if c.delivery == nil || c.delivery.Inbox == nil {
		c.notFound(w, r)
		return
	}
	d := inboxData{All: r.URL.Query().Get("all") == "1"}
	f := inbound.InboxFilter{Status: inbound.StatusNew, Limit: 200}
	if d.All {
		f.Status = ""
	}
	items, err := c.delivery.Inbox.Inbox(r.Context(), f)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d.Items = items
	c.render(w, r, http.StatusOK, "inbox", d)
}

// inboxHandled serves POST /inbox/{id}/handled.
func (c *Console) inboxHandled(w http.ResponseWriter, r *http.Request) {
	if c.delivery == nil || c.delivery.Inbox == nil {
		c.notFound(w, r)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		c.notFound(w, r)
		return
	}
	if _, err := c.delivery.Inbox.MarkHandled(r.Context(), id); err != nil {
		c.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/inbox", http.StatusSeeOther)
}
