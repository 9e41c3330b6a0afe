package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"nudge/internal/gateway"
	"nudge/internal/outbox"
	"nudge/internal/outbox/direct"
	"nudge/internal/sms"
)

// Delivery is what the message and gateway endpoints need: the outbox, the
// sender without a campaign, and the gateway configuration.
type Delivery struct {
	Outbox   *outbox.Store
	Direct   *direct.Service
	Gateways *gateway.Store
	Registry *gateway.Registry
}

// deliveryRoutes are the endpoints of the send path: sending and reading
// messages, and configuring gateways.
func (a *API) deliveryRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/messages", handler: a.messagesSend},
		{pattern: "GET /api/v1/messages", handler: a.messagesList},
		{pattern: "GET /api/v1/messages/{id}", handler: a.messageShow},
		{pattern: "GET /api/v1/gateways", handler: a.gatewaysList},
		{pattern: "POST /api/v1/gateways", handler: a.gatewayCreate},
		{pattern: "DELETE /api/v1/gateways/{name}", handler: a.gatewayDelete},
	}
}

// deliveryReady answers 503 when the server was built without the send
// path, and reports whether the handler may go on.
func (a *API) deliveryReady(w http.ResponseWriter) bool {
	if a.delivery != nil {
		return true
	}
	writeError(w, http.StatusServiceUnavailable, apiError{Code: codeUnavailable, Message: "sending is not available on this server"})
	return false
}

// messageSendIn is the body of POST /api/v1/messages: one number (to) or a
// list (recipients), one text (a template when it holds {{fields}}).
type messageSendIn struct {
	RequestID  string        `json:"request_id"`
	Category   string        `json:"category"`
	Text       string        `json:"text"`
	To         string        `json:"to"`
	Recipients []recipientIn `json:"recipients"`
}

type recipientIn struct {
	Phone  string            `json:"phone"`
	Fields map[string]string `json:"fields"`
}

// messageSendOut says what became of each recipient.
type messageSendOut struct {
	RequestID  string        `json:"request_id"`
	IDs        []int64       `json:"ids"`
	Queued     int           `json:"queued"`
	Duplicates int           `json:"duplicates"`
	Deferred   int           `json:"deferred"`
	Problems   []sendProblem `json:"problems"`
}

// sendProblem is a recipient that was not queued: its index in
// recipients (0 for to), the number masked, and why.
type sendProblem struct {
	Index  int    `json:"index"`
	Phone  string `json:"phone"`
	Reason string `json:"reason"`
}

// messagesSend handles POST /api/v1/messages: the policy decides for each
// recipient, the template is rendered, and the messages are queued
// idempotently. With the same request_id, a retried request queues
// nothing new and answers the same ids.
func (a *API) messagesSend(w http.ResponseWriter, r *http.Request) {
	if !a.deliveryReady(w) {
		return
	}
	body, err := readBody(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in messageSendIn
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		a.fail(w, r, invalid("", "body: "+err.Error()))
		return
	}
	var rcs []direct.Recipient
	switch {
	case in.To != "" && len(in.Recipients) > 0:
		err = invalid("to", "give to or recipients, not both")
	case in.To != "":
		rcs = []direct.Recipient{{Phone: in.To, Line: 1}}
	case len(in.Recipients) == 0:
		err = invalid("to", "give to or recipients")
	case len(in.Recipients) > MaxRecords:
		err = invalid("recipients", fmt.Sprintf("at most %d recipients a request", MaxRecords))
	default:
		for i, rc := range in.Recipients {
			rcs = append(rcs, direct.Recipient{Phone: rc.Phone, Fields: rc.Fields, Line: i + 1})
		}
	}
	if err == nil && strings.TrimSpace(in.Text) == "" {
		err = invalid("text", "text is empty")
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.delivery.Direct.Send(r.Context(), direct.Request{RequestID: in.RequestID, Category: in.Category, Text: in.Text, Recipients: rcs})
	var pe *sms.ParseError
	switch {
	case errors.As(err, &pe):
		a.fail(w, r, invalid("text", pe.Error()))
		return
	case err != nil && strings.HasPrefix(err.Error(), "direct: unknown category"):
		a.fail(w, r, invalid("category", err.Error()))
		return
	case err != nil:
		a.fail(w, r, err)
		return
	}
	out := messageSendOut{RequestID: res.RequestID, IDs: res.IDs, Queued: res.Queued, Duplicates: res.Duplicates,
		Deferred: res.Deferred, Problems: []sendProblem{}}
	if out.IDs == nil {
		out.IDs = []int64{}
	}
	for _, p := range res.Problems {
		out.Problems = append(out.Problems, sendProblem{Index: p.Line - 1, Phone: p.Phone, Reason: p.Reason})
	}
	writeJSON(w, http.StatusOK, out)
}

// messagesList handles GET /api/v1/messages: the message log, newest
// first, with filters, numbers masked.
func (a *API) messagesList(w http.ResponseWriter, r *http.Request) {
	if !a.deliveryReady(w) {
		return
	}
	q := r.URL.Query()
	limit, err := limitParam(r, defaultLimit, maxLimit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	f := outbox.Filter{Status: outbox.Status(q.Get("status")), Gateway: q.Get("gateway"), Category: q.Get("category"),
		Phone: q.Get("phone"), Review: q.Get("review") == "1" || q.Get("review") == "true", Limit: limit}
	if v := q.Get("before"); v != "" {
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil || f.Before < 0 {
			a.fail(w, r, badParameter("before", "before must be a message id"))
			return
		}
	}
	if v := q.Get("source"); v != "" {
		kind, ref, ok := strings.Cut(v, ":")
		if !ok {
			a.fail(w, r, badParameter("source", "source is KIND:REF, such as campaign:42"))
			return
		}
		f.Source = &outbox.Source{Kind: kind, Ref: ref}
	}
	if f.Status != "" && !validStatus(f.Status) {
		a.fail(w, r, badParameter("status", "unknown status "+string(f.Status)))
		return
	}
	vs, err := a.delivery.Outbox.List(r.Context(), f)
	if err != nil {
		if f.Phone != "" && !errors.Is(err, r.Context().Err()) {
			err = badParameter("phone", err.Error())
		}
		a.fail(w, r, err)
		return
	}
	out := struct {
		Messages   []outbox.View `json:"messages"`
		NextBefore int64         `json:"next_before,omitempty"`
	}{Messages: vs}
	if out.Messages == nil {
		out.Messages = []outbox.View{}
	}
	if len(vs) == limit {
		out.NextBefore = vs[len(vs)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

func validStatus(s outbox.Status) bool {
	for _, x := range outbox.Statuses {
		if x == s {
			return true
		}
	}
	return false
}

// messageDetail is a message with its parts and the steps of its life.
type messageDetail struct {
	outbox.View
	History []outbox.Event `json:"history"`
}

// messageShow handles GET /api/v1/messages/{id}.
func (a *API) messageShow(w http.ResponseWriter, r *http.Request) {
	if !a.deliveryReady(w) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.fail(w, r, badParameter("id", "id must be a message id"))
		return
	}
	v, err := a.delivery.Outbox.Get(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, messageDetail{View: v, History: v.History()})
}
