package compose

import (
	"errors"
	"fmt"

	"nudge/internal/sms"
)

// Errors a render can wrap in a *RenderError; test for them with
// errors.Is.
var (
	// ErrPoolEmpty means a coupon pool has no free code left.
	ErrPoolEmpty = errors.New("coupon pool is empty")
	// ErrNoPool means a template or a request names a pool that does not
	// exist, or a {{coupon}} names none at all.
	ErrNoPool = errors.New("no such coupon pool")
	// ErrNoMessageKey means a coupon must be drawn but the send gave no
	// message key to draw it for.
	ErrNoMessageKey = errors.New("no message key to draw a coupon for")
	// ErrNoLinkTarget means {{link}} has no target: neither the send nor
	// the template ({{link|https://...}}) gives one.
	ErrNoLinkTarget = errors.New("no link target")
	// ErrNoLinks means the server has no short-link service.
	ErrNoLinks = errors.New("short links are not available")
	// ErrUnknownCategory means the category is not in the policy's table.
	ErrUnknownCategory = errors.New("unknown message category")
	// ErrNoText means there is nothing to render.
	ErrNoText = errors.New("no template text")
)

// RenderError says which field of a template could not be rendered, where
// it is in the template, and why. Err is the cause: a
// *sms.MissingFieldError, ErrPoolEmpty, ErrNoPool, ErrNoMessageKey,
// ErrNoLinkTarget, ErrNoLinks or a store error.
type RenderError struct {
	Field  string
	Pos    sms.Position
	Reason string
	Err    error
}

func (e *RenderError) Error() string {
	// A missing value reads as sms says it everywhere else, so that
	// senders switching to compose keep their messages.
	var me *sms.MissingFieldError
	if errors.As(e.Err, &me) {
		return me.Error()
	}
	return fmt.Sprintf("template: field {{%s}} at %s: %s", e.Field, e.Pos, e.Reason)
}

// Unwrap returns the cause.
func (e *RenderError) Unwrap() error { return e.Err }
