package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunSMSCount(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--json", "Hello"}, `{"encoding":"GSM-7","segments":1,"units":5,"per_segment":160}` + "\n"},
		// 161 septets: two parts of at most 153.
		{[]string{"--json", strings.Repeat("a", 161)}, `{"encoding":"GSM-7","segments":2,"units":161,"per_segment":153}` + "\n"},
		// Words are joined with one space: "王女士 您好" is 6 UCS-2 units.
		{[]string{"--json", "王女士", "您好"}, `{"encoding":"UCS-2","segments":1,"units":6,"per_segment":70}` + "\n"},
		{[]string{"Price: 100€"}, "GSM-7, 1 segment, 12 septets (160 per segment)\n"},
		{[]string{strings.Repeat("王", 71)}, "UCS-2, 2 segments, 71 UTF-16 units (67 per segment)\n"},
	}
	for _, tc := range tests {
		var out bytes.Buffer
		if err := runSMSCount(context.Background(), tc.args, &out); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if out.String() != tc.want {
			t.Errorf("%v: got %q, want %q", tc.args, out.String(), tc.want)
		}
	}
}

func TestRunSMSCountErrors(t *testing.T) {
	var out bytes.Buffer
	if err := runSMSCount(context.Background(), nil, &out); err == nil || !strings.Contains(err.Error(), "no text given") {
		t.Errorf("no args: err = %v", err)
	}
	if err := runSMSCount(context.Background(), []string{"--nope", "x"}, &out); err == nil || !strings.Contains(err.Error(), "usage: nudge sms count") {
		t.Errorf("bad flag: err = %v", err)
	}
	out.Reset()
	if err := runSMSCount(context.Background(), []string{"-h"}, &out); err != nil || !strings.HasPrefix(out.String(), "Usage: nudge sms count") {
		t.Errorf("-h: err = %v, out = %q", err, out.String())
	}
}

func TestRunTemplateLint(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "copy.txt")
	// An editor's final newline is dropped; the file is a template source.
	if err := os.WriteFile(file, []byte("【花语轩】{{surname_title}}，全场8折，点击领取\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clean := "【花语轩】王女士，双11全场鲜花立减200元，11月11日24点截止，点击 https://n.example/x 领券，回TD退订"
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"clean copy, JSON, empty list not null", []string{"--json", "--brand", "花语轩", clean}, "",
			`{"warnings":[]}` + "\n"},
		{"clean copy, text", []string{clean}, "", "no warnings\n"},
		// 【花语轩】全场8折 is 9 characters: length and no_cta cover it, no_optout sits at its end.
		{"marketing problems, JSON", []string{"--json", "【花语轩】全场8折"}, "",
			`{"warnings":[` +
				`{"code":"length","message":"9 characters; marketing copy reads best at 65-75 including the link","start":0,"end":9},` +
				`{"code":"no_cta","message":"no call to action; tell the reader what to do (点击, 立即领取, shop now)","start":0,"end":9},` +
				`{"code":"no_optout","message":"marketing message without an opt-out line; end with 回TD退订 or Reply STOP to opt out","start":9,"end":9}` +
				`]}` + "\n"},
		{"transactional, text", []string{"--marketing=false", "--brand", "花语轩", "【别家】您的订单已发货，点击查看"}, "",
			"0-4 no_signature: signature 【别家】 is not the shop's 【花语轩】\n"},
		// The file reads as 【花语轩】王女士，全场8折，点击领取: 5 + 3 + 1 + 4 + 1 + 4
		// = 18 characters; positions are in the source, where
		// {{surname_title}} takes 17 instead of 3, so the text ends at 32.
		{"file", []string{"--json", file}, "",
			`{"warnings":[` +
				`{"code":"length","message":"18 characters; marketing copy reads best at 65-75 including the link","start":0,"end":32},` +
				`{"code":"no_optout","message":"marketing message without an opt-out line; end with 回TD退订 or Reply STOP to opt out","start":32,"end":32}` +
				`]}` + "\n"},
		{"stdin", []string{"--marketing=false", "-"}, "全场8折，点击领取\r\n", "0-0 no_signature: no signature; start the message with 【Brand】\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := runTemplateLint(context.Background(), tc.args, strings.NewReader(tc.stdin), &out); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", out.String(), tc.want)
			}
		})
	}
}

func TestRunTemplateLintErrors(t *testing.T) {
	var out bytes.Buffer
	err := runTemplateLint(context.Background(), []string{"--json"}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "no file or text given") {
		t.Errorf("no args: err = %v", err)
	}
	err = runTemplateLint(context.Background(), []string{"--marketing=maybe", "x"}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "usage: nudge template lint") {
		t.Errorf("bad flag value: err = %v", err)
	}
}
