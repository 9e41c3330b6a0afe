package smpp

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"nudge/internal/sms"
)

// State is the final (or not yet final) state of a submitted message as a
// delivery receipt reports it, in nudge's vocabulary rather than SMPP's.
type State string

// Receipt states. Intermediate SMPP states (ENROUTE, ACCEPTD) and UNKNOWN
// map to StateUnknown: they say nothing the message's "submitted" state does
// not already say.
const (
	StateDelivered   State = "delivered"
	StateUndelivered State = "undelivered"
	StateExpired     State = "expired"
	StateRejected    State = "rejected"
	StateUnknown     State = "unknown"
)

// MessageState is the value of the message_state TLV (SMPP 3.4 5.2.28).
type MessageState uint8

// message_state values.
const (
	MsgEnroute       MessageState = 1
	MsgDelivered     MessageState = 2
	MsgExpired       MessageState = 3
	MsgDeleted       MessageState = 4
	MsgUndeliverable MessageState = 5
	MsgAccepted      MessageState = 6
	MsgUnknown       MessageState = 7
	MsgRejected      MessageState = 8
)

// State maps a message_state to nudge's state. DELETED counts as
// undelivered: the SMSC dropped the message and the handset never got it.
func (m MessageState) State() State {
	switch m {
	case MsgDelivered:
		return StateDelivered
	case MsgExpired:
		return StateExpired
	case MsgDeleted, MsgUndeliverable:
		return StateUndelivered
	case MsgRejected:
		return StateRejected
	}
	return StateUnknown
}

// statState maps the stat field of the Appendix B receipt text; the long
// forms are what some SMSCs write instead of the seven-letter ones.
func statState(stat string) State {
	switch strings.ToUpper(stat) {
	case "DELIVRD", "DELIVERED":
		return StateDelivered
	case "UNDELIV", "UNDELIVERABLE", "DELETED":
		return StateUndelivered
	case "EXPIRED":
		return StateExpired
	case "REJECTD", "REJECTED":
		return StateRejected
	}
	return StateUnknown
}

// Receipt is an SMSC delivery receipt (a deliver_sm with esm_class 0x04).
type Receipt struct {
	MessageID string // the SMSC id that submit_sm_resp returned; hex or decimal, kept as sent
	State     State
	Stat      string // stat as written in the text (upper-cased), e.g. "DELIVRD"; empty if absent
	Err       string // err field as written, e.g. "000"
	// NetworkError is the network_error_code TLV (network type, then a
	// two-octet code), nil when absent.
	NetworkError []byte
	Sub, Dlvrd   string // sub and dlvrd as written, e.g. "001"
	SubmitDate   time.Time
	DoneDate     time.Time
	Text         string
	Source       string // the handset the message went to
	Destination  string // the sender address the message came from
}

// IsReceipt reports whether a deliver_sm is a delivery receipt rather than
// a mobile-originated message.
func IsReceipt(d *DeliverSM) bool { return d.ESMClass&ESMClassReceipt != 0 }

// ErrNoMessageID means a receipt names no message: neither the
// receipted_message_id TLV nor an id field in its text.
var ErrNoMessageID = errors.New("smpp: delivery receipt without message id")

// ParseReceipt reads a delivery receipt. The text follows SMPP 3.4 Appendix
// B ("id:... sub:... dlvrd:... submit date:YYMMDDhhmm done date:YYMMDDhhmm
// stat:DELIVRD err:000 text:...") read leniently: keys in any case, fields
// missing or reordered, "submit_date" for "submit date", dates with or
// without seconds (taken as UTC, since the SMSC's zone is not sent). The
// receipted_message_id and message_state TLVs, when present, win over the
// text because they are typed and not truncated.
func ParseReceipt(d *DeliverSM) (Receipt, error) {
	r := Receipt{Source: d.SourceAddr, Destination: d.DestinationAddr, State: StateUnknown}
	ud := d.Message
	if len(ud) == 0 {
		ud, _ = d.TLVs.Get(TagMessagePayload)
	}
	text := string(ud)
	if d.DataCoding == DataCodingUCS2 {
		if s, err := sms.DecodeUCS2(ud); err == nil {
			text = s
		}
	}
	f := receiptFields(text)
	r.MessageID = f["id"]
	r.Sub, r.Dlvrd, r.Err, r.Text = f["sub"], f["dlvrd"], f["err"], f["text"]
	r.SubmitDate = receiptTime(f["submit date"])
	r.DoneDate = receiptTime(f["done date"])
	if st, ok := f["stat"]; ok {
		r.Stat = strings.ToUpper(st)
		r.State = statState(st)
	}
	if id, ok := d.TLVs.CString(TagReceiptedMessageID); ok && id != "" {
		r.MessageID = id
	}
	if ms, ok := d.TLVs.Uint(TagMessageState); ok {
		r.State = MessageState(ms).State()
	}
	if ne, ok := d.TLVs.Get(TagNetworkErrorCode); ok {
		r.NetworkError = ne
	}
	if r.MessageID == "" {
		return r, fmt.Errorf("%w (text %q)", ErrNoMessageID, text)
	}
	return r, nil
}

// receiptKeys are the field names of Appendix B and the spellings seen in
// the wild that mean the same, mapped to one canonical name.
var receiptKeys = []struct{ key, name string }{
	{"submit date:", "submit date"}, {"submit_date:", "submit date"}, {"submitdate:", "submit date"},
	{"done date:", "done date"}, {"done_date:", "done date"}, {"donedate:", "done date"},
	{"id:", "id"}, {"sub:", "sub"}, {"dlvrd:", "dlvrd"}, {"stat:", "stat"}, {"err:", "err"},
}

// receiptFields splits the receipt text into its fields. "text:" is found
// first and runs to the end, so that words like "id:" inside the echoed
// message text cannot be taken for fields.
func receiptFields(s string) map[string]string {
	lower := asciiLower(s)
	out := map[string]string{}
	head := s
	if i := findKey(lower, "text:"); i >= 0 {
		out["text"] = strings.TrimSpace(s[i+len("text:"):])
		head, lower = s[:i], lower[:i]
	}
	type hit struct {
		at, end int
		name    string
	}
	var hits []hit
	taken := make([]bool, len(head))
	for _, k := range receiptKeys {
		i := findKey(lower, k.key)
		if i < 0 || taken[i] {
			continue
		}
		if _, dup := out[k.name]; dup {
			continue
		}
		for j := i; j < i+len(k.key); j++ {
			taken[j] = true
		}
		hits = append(hits, hit{i, i + len(k.key), k.name})
		out[k.name] = ""
	}
	sort.Slice(hits, func(a, b int) bool { return hits[a].at < hits[b].at })
	for n, h := range hits {
		end := len(head)
		if n+1 < len(hits) {
			end = hits[n+1].at
		}
		out[h.name] = strings.TrimSpace(head[h.end:end])
	}
	return out
}

// findKey finds key at the start of s or after a space, so that "id:"
// does not match inside "msgid:" and "date:" does not match "submit date:".
func findKey(s, key string) int {
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], key)
		if i < 0 {
			return -1
		}
		i += from
		if i == 0 || s[i-1] == ' ' {
			return i
		}
		from = i + 1
	}
	return -1
}

// asciiLower lower-cases ASCII letters only, keeping byte offsets equal to
// those of the original even when the text holds other characters.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// receiptTime parses YYMMDDhhmm or YYMMDDhhmmss as UTC; anything else is
// the zero time, since a bad date must not lose the receipt.
func receiptTime(s string) time.Time {
	if _, err := strconv.ParseUint(s, 10, 64); err != nil {
		return time.Time{}
	}
	layout := ""
	switch len(s) {
	case 10:
		layout = "0601021504"
	case 12:
		layout = "060102150405"
	default:
		return time.Time{}
	}
	t, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		return time.Time{}
	}
	return t
}
