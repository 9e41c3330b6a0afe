package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Headers of a signed request, in both directions.
const (
	HeaderTimestamp = "X-Nudge-Timestamp"
	HeaderSignature = "X-Nudge-Signature"
)

// Tolerance is how far a hook's timestamp may be from nudge's clock: a
// captured request cannot be replayed later than this.
const Tolerance = 5 * time.Minute

// Sign returns the signature header value for a body sent at ts:
// "v1=" + hex(HMAC-SHA256(secret, ts + "." + body)). The timestamp is
// signed with the body so that neither can be swapped.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1=" + hex.EncodeToString(m.Sum(nil))
}

// Errors of Verify.
var (
	ErrNoSignature  = errors.New("missing signature or timestamp")
	ErrStale        = errors.New("timestamp too far from now")
	ErrBadSignature = errors.New("signature does not match")
)

// Verify checks a signed body against the timestamp and signature headers
// at now. Several signatures separated by commas are accepted (a provider
// rotating its secret sends both), and one matching is enough.
func Verify(secret, tsHeader, sigHeader string, body []byte, now time.Time) error {
	if tsHeader == "" || sigHeader == "" {
		return ErrNoSignature
	}
	ts, err := strconv.ParseInt(tsHeader, 10, 64)
	if err != nil {
		return ErrNoSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > Tolerance || d < -Tolerance {
		return ErrStale
	}
	want := []byte(Sign(secret, ts, body))
	for _, s := range strings.Split(sigHeader, ",") {
		if hmac.Equal([]byte(strings.TrimSpace(s)), want) {
			return nil
		}
	}
	return ErrBadSignature
}
