package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"nudge/internal/gateway"
)

func TestParseRoles(t *testing.T) {
	for in, want := range map[string]Roles{
		"":              AllRoles,
		"all":           AllRoles,
		"api":           {API: true},
		"dispatch, api": {API: true, Dispatch: true},
		"scheduler":     {Scheduler: true},
	} {
		if got, err := ParseRoles(in); err != nil || got != want {
			t.Errorf("ParseRoles(%q) = %+v, %v", in, got, err)
		}
	}
	if _, err := ParseRoles("api,cook"); err == nil || !strings.Contains(err.Error(), `unknown role "cook"`) {
		t.Fatal(err)
	}
}

// nudge serve runs the send path: a message posted to the API goes out
// through the configured simulator and its receipt comes back; hooks are
// mounted for HTTP gateways.
func TestServeDelivers(t *testing.T) {
	t.Setenv("NUDGE_ROLES", "")
	a, _ := testApp(t)
	ctx := context.Background()
	cfg, err := gateway.ParseURL("sim", "sim://?latency=0&receipt_delay=20ms&receipt_jitter=0&fail_empty=0&fail_off=0&fail_black=0&fail_carrier=0&reply_rate=0")
	if err != nil {
		t.Fatal(err)
	}
	if err := gateway.NewStore(a.DB, a.Keys, a.Clock).Add(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	token, err := a.Auth.CreateToken(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, a, nil)
	do := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, r.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		json.Unmarshal(b, &m)
		return resp.StatusCode, m
	}
	code, m := do("POST", "/api/v1/messages", `{"to":"13812345678","text":"您的订单已发货","category":"order"}`)
	if code != 200 || m["queued"] != float64(1) {
		t.Fatalf("%d %v", code, m)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, m = do("GET", "/api/v1/messages/1", "")
		if m["status"] == "delivered" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not delivered: %v", m)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if m["gateway"] != "sim" || m["phone"] != "138****5678" {
		t.Fatalf("%v", m)
	}
	// The hooks route exists; an unknown gateway is a 404.
	resp, err := http.Post(r.url+"/hooks/nope/receipts", "application/json", strings.NewReader("{}"))
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("hook: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}

func TestAddDemoSimulator(t *testing.T) {
	a, _ := testApp(t)
	ctx := context.Background()
	d, err := a.Delivery(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if added, err := d.AddDemoSimulator(ctx); !added || err != nil {
		t.Fatal(added, err)
	}
	if added, err := d.AddDemoSimulator(ctx); added || err != nil {
		t.Fatal("added twice", err)
	}
	r, err := d.Gateways.Get(ctx, "sim")
	if err != nil || r.URL != DemoSimulatorURL {
		t.Fatal(r, err)
	}
}
