package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"nudge/internal/gateway"
)

// ReceiptIn is one receipt as a provider posts it.
type ReceiptIn struct {
	ID     string `json:"id"`     // the id the submit answer gave
	Status string `json:"status"` // delivered, undelivered, expired, rejected (or DELIVRD, UNDELIV...)
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	At     string `json:"at,omitempty"` // RFC 3339; default now
}

// ReplyIn is one customer reply as a provider posts it.
type ReplyIn struct {
	ID   string `json:"id,omitempty"`
	From string `json:"from"`
	To   string `json:"to,omitempty"`
	Text string `json:"text"`
	At   string `json:"at,omitempty"`
}

// ServeHook takes POST /hooks/{gateway}/receipts and /replies. The body is
// either {"receipts":[...]} / {"replies":[...]} or a single object; it must
// carry the timestamp and signature headers, signed with the gateway's
// secret. It answers 204 when everything was taken, 401 when the
// signature fails, 400 when the body cannot be read.
func (g *Gateway) ServeHook(kind string, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	summary := fmt.Sprintf("hook %s %d bytes", kind, len(body))
	if err := Verify(g.s.secret, r.Header.Get(HeaderTimestamp), r.Header.Get(HeaderSignature), body, g.deps.Clock.Now()); err != nil {
		g.trace(gateway.In, summary+" refused: "+err.Error(), string(body), true)
		http.Error(w, "signature: "+err.Error(), http.StatusUnauthorized)
		return
	}
	var n int
	switch kind {
	case "receipts":
		n, err = g.receipts(body)
	case "replies":
		n, err = g.replies(body)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		g.trace(gateway.In, summary+" unreadable: "+err.Error(), string(body), true)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	g.trace(gateway.In, fmt.Sprintf("%s: %d taken", summary, n), string(body), false)
	w.WriteHeader(http.StatusNoContent)
}

// decodeList reads {"<key>":[...]} or a single object into out.
func decodeList[T any](body []byte, key string) ([]T, error) {
	trimmed := bytes.TrimSpace(body)
	var wrapped map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &wrapped); err != nil {
		return nil, fmt.Errorf("body is not a JSON object")
	}
	if raw, ok := wrapped[key]; ok {
		var list []T
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, fmt.Errorf("%s: %v", key, err)
		}
		return list, nil
	}
	var one T
	if err := json.Unmarshal(trimmed, &one); err != nil {
		return nil, err
	}
	return []T{one}, nil
}

func (g *Gateway) hookTime(s string) (time.Time, error) {
	if s == "" {
		return g.deps.Clock.Now(), nil
	}
	return time.Parse(time.RFC3339, s)
}

func (g *Gateway) receipts(body []byte) (int, error) {
	in, err := decodeList[ReceiptIn](body, "receipts")
	if err != nil {
		return 0, err
	}
	out := make([]gateway.Receipt, 0, len(in))
	for i, r := range in {
		if r.ID == "" {
			return 0, fmt.Errorf("receipt %d: no id", i+1)
		}
		at, err := g.hookTime(r.At)
		if err != nil {
			return 0, fmt.Errorf("receipt %d: at: want RFC 3339", i+1)
		}
		out = append(out, gateway.Receipt{Gateway: g.name, ID: r.ID, State: state(r.Status), Reason: r.Reason, Err: r.Error, At: at})
	}
	for _, r := range out {
		g.deps.Sink.Receipt(r)
	}
	return len(out), nil
}

func (g *Gateway) replies(body []byte) (int, error) {
	in, err := decodeList[ReplyIn](body, "replies")
	if err != nil {
		return 0, err
	}
	out := make([]gateway.Reply, 0, len(in))
	for i, r := range in {
		if r.From == "" {
			return 0, fmt.Errorf("reply %d: no from", i+1)
		}
		at, err := g.hookTime(r.At)
		if err != nil {
			return 0, fmt.Errorf("reply %d: at: want RFC 3339", i+1)
		}
		out = append(out, gateway.Reply{Gateway: g.name, ID: r.ID, From: r.From, To: r.To, Text: r.Text, At: at})
	}
	for _, r := range out {
		g.deps.Sink.Reply(r)
	}
	return len(out), nil
}

// state reads a provider's status word, in nudge's or SMPP's spelling.
func state(s string) gateway.State {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DELIVERED", "DELIVRD":
		return gateway.Delivered
	case "UNDELIVERED", "UNDELIV", "FAILED":
		return gateway.Undelivered
	case "EXPIRED":
		return gateway.Expired
	case "REJECTED", "REJECTD":
		return gateway.Rejected
	}
	return gateway.Unknown
}
