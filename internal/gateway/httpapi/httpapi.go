// Package httpapi is the generic HTTP gateway: nudge POSTs each message as
// JSON to a provider's URL with an HMAC-signed body, and the provider sends
// receipts and replies back to POST /hooks/{gateway}/receipts and
// /hooks/{gateway}/replies, signed the same way. docs/delivery.md gives the
// exact formats, for providers (or small adapters in front of them) to
// implement.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"nudge/internal/gateway"
	"nudge/internal/pii"
)

// Kind registers the HTTP gateway under http:// and https://.
var Kind = gateway.Kind{
	Name:    "http",
	Schemes: []string{"http", "https"},
	New: func(ctx context.Context, cfg gateway.Config, deps gateway.Deps) (gateway.Gateway, error) {
		return New(cfg, deps, nil)
	},
	Check: func(cfg gateway.Config) error {
		_, err := parse(cfg)
		return err
	},
}

// settings are read from the URL:
//
//	https://ACCOUNT:SECRET@api.example.com/sms/send?timeout=10s
//
// SECRET signs requests and verifies hooks; ACCOUNT, when set, is sent in
// every request. The URL posted to is the one given without the
// credentials and without nudge's parameters.
type settings struct {
	endpoint string
	account  string
	secret   string
	timeout  time.Duration
}

func parse(cfg gateway.Config) (settings, error) {
	u := *cfg.URL
	var s settings
	if u.Host == "" {
		return s, fmt.Errorf("http gateway %s: the URL needs a host", cfg.Name)
	}
	if u.User != nil {
		s.account = u.User.Username()
		s.secret, _ = u.User.Password()
	}
	if s.secret == "" {
		return s, fmt.Errorf("http gateway %s: the URL needs a signing secret: https://ACCOUNT:SECRET@host/path", cfg.Name)
	}
	s.timeout = 10 * time.Second
	q := u.Query()
	if v := q.Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("http gateway %s: timeout=%q: want a duration such as 10s", cfg.Name, v)
		}
		s.timeout = d
	}
	q.Del("timeout")
	u.User, u.RawQuery = nil, q.Encode()
	s.endpoint = u.String()
	return s, nil
}

// Gateway posts messages to an HTTP endpoint.
type Gateway struct {
	name   string
	s      settings
	deps   gateway.Deps
	client *http.Client
}

// New builds the gateway; client nil means one with the configured timeout
// and a connection pool the size of the window.
func New(cfg gateway.Config, deps gateway.Deps, client *http.Client) (*Gateway, error) {
	s, err := parse(cfg)
	if err != nil {
		return nil, err
	}
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = max(cfg.Window, 2)
		client = &http.Client{Timeout: s.timeout, Transport: tr}
	}
	return &Gateway{name: cfg.Name, s: s, deps: deps, client: client}, nil
}

// request is the JSON body of a submit. Field order is fixed so that the
// signed bytes are the same for the same message.
type request struct {
	ID         string `json:"id"`
	Account    string `json:"account,omitempty"`
	To         string `json:"to"`
	Text       string `json:"text"`
	Parts      int    `json:"parts"`
	Category   string `json:"category"`
	ValidUntil string `json:"valid_until,omitempty"`
}

// response is what a provider answers: the ids of the parts, or one id.
type response struct {
	IDs    []string `json:"ids"`
	ID     string   `json:"id"`
	Error  string   `json:"error"`
	Reason string   `json:"reason"`
}

// Body returns the exact bytes Submit posts for m.
func (g *Gateway) Body(m gateway.Message) []byte {
	req := request{ID: strconv.FormatInt(m.ID, 10), Account: g.s.account, To: m.To, Text: m.Text, Parts: m.Parts, Category: m.Category}
	if !m.ValidUntil.IsZero() {
		req.ValidUntil = m.ValidUntil.UTC().Format(time.RFC3339)
	}
	// Text goes as written: no \u0026 for & in a link, which a provider
	// would still read but a person checking the log would not.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(req)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Submit posts the message and reads the ids from the answer.
func (g *Gateway) Submit(ctx context.Context, m gateway.Message) ([]string, error) {
	body := g.Body(m)
	ts := g.deps.Clock.Now().Unix()
	sig := Sign(g.s.secret, ts, body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.s.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, &gateway.Error{Action: gateway.Fail, Code: "request", Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "nudge")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, sig)
	started := time.Now()
	summary := fmt.Sprintf("POST %s id=%d to=%s parts=%d", g.s.endpoint, m.ID, pii.MaskPhone(m.To), m.Parts)
	resp, err := g.client.Do(req)
	if err != nil {
		ge := transportError(err)
		g.trace(gateway.Out, summary+" -> "+ge.Code, string(body), true)
		return nil, ge
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	failed := resp.StatusCode >= 300
	g.trace(gateway.Out, summary, string(body), false)
	g.trace(gateway.In, fmt.Sprintf("%d %s in %s", resp.StatusCode, http.StatusText(resp.StatusCode), time.Since(started).Round(time.Millisecond)), string(rb), failed)
	var r response
	json.Unmarshal(rb, &r)
	if !failed {
		ids := r.IDs
		if len(ids) == 0 && r.ID != "" {
			ids = []string{r.ID}
		}
		if len(ids) == 0 {
			// Accepted, but without an id receipts cannot be matched; the
			// message did go, so it must not be resent.
			return nil, &gateway.Error{Action: gateway.Uncertain, Code: fmt.Sprintf("http %d without id", resp.StatusCode),
				Err: errors.New("the provider accepted the message without giving its id")}
		}
		return ids, nil
	}
	return nil, statusError(resp, r)
}

// statusError turns a refusal into a decision: throttling and server
// trouble are retried (after Retry-After when given), a bad message or
// number fails, an account problem fails over to the next gateway.
func statusError(resp *http.Response, r response) *gateway.Error {
	code := fmt.Sprintf("http %d", resp.StatusCode)
	msg := r.Error
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	ge := &gateway.Error{Code: code, Reason: r.Reason, Err: errors.New(msg)}
	switch c := resp.StatusCode; {
	case c == http.StatusTooManyRequests || c >= 500:
		ge.Action, ge.RetryAfter = gateway.Retry, retryAfter(resp.Header.Get("Retry-After"))
	case c == http.StatusUnauthorized || c == http.StatusForbidden || c == http.StatusPaymentRequired || c == http.StatusNotFound:
		ge.Action = gateway.Failover
	default:
		ge.Action = gateway.Fail
	}
	return ge
}

func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// transportError decides on a request that got no answer: one that never
// connected can be retried; one that timed out or broke after it was sent
// may have been taken.
func transportError(err error) *gateway.Error {
	var op *net.OpError
	var dns *net.DNSError
	var ue *url.Error
	switch {
	case errors.As(err, &op) && op.Op == "dial", errors.As(err, &dns):
		return &gateway.Error{Action: gateway.Retry, Code: "connect", Err: err}
	case errors.Is(err, context.Canceled):
		return &gateway.Error{Action: gateway.Uncertain, Code: "cancelled", Err: err}
	case errors.As(err, &ue) && ue.Timeout():
		return &gateway.Error{Action: gateway.Uncertain, Code: "timeout", Err: err}
	}
	return &gateway.Error{Action: gateway.Uncertain, Code: "transport", Err: err}
}

func (g *Gateway) trace(dir, summary, body string, failed bool) {
	g.deps.Trace(gateway.Exchange{Direction: dir, Kind: "http", Failed: failed, Summary: summary,
		Lazy: func() string { return gateway.MaskDigits(strings.TrimSpace(body)) }})
}

// Status is always up: an HTTP endpoint's health shows in its answers,
// which the dispatcher acts on message by message.
func (g *Gateway) Status() gateway.Status {
	return gateway.Status{Up: true, Detail: "POST " + g.s.endpoint}
}

// Close releases idle connections.
func (g *Gateway) Close() error {
	g.client.CloseIdleConnections()
	return nil
}
