package smpp

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"nudge/internal/clock"
)

// MO is a mobile-originated message: a customer's reply, reassembled when it
// came in several parts.
type MO struct {
	Source      string // the customer's number
	SourceTON   uint8
	SourceNPI   uint8
	Destination string // the number or short code the customer wrote to
	Text        string
	DataCoding  uint8
	Parts       int
	// Incomplete is set when the reassembly timeout passed before every part
	// arrived: Text then holds the parts that did come, in order. Such a
	// reply is still handed over because it may carry an opt-out.
	Incomplete bool
	Received   time.Time // when the last part arrived
}

// concat identifies one part of a concatenated message.
type concat struct {
	ref        uint16
	total, seq uint8
}

// moKey groups parts: a reference is only unique per sender, and the total
// guards against a reused reference with a different message.
type moKey struct {
	source, dest string
	ref          uint16
	total        uint8
}

type moSet struct {
	first   time.Time
	last    time.Time
	parts   [][]byte // user data per part (septets unpacked), nil until it arrives
	got     int
	dc      uint8
	ton     uint8
	npi     uint8
	missing bool
}

// Reassembler joins the parts of concatenated MO messages, whichever bind
// they arrive on. It is safe for concurrent use.
type Reassembler struct {
	clock   clock.Clock
	timeout time.Duration
	packed  bool

	mu   sync.Mutex
	sets map[moKey]*moSet
}

// NewReassembler returns a reassembler that gives up on an incomplete set
// timeout after its first part arrived, reading time from c. packed says
// whether GSM-7 user data arrives packed (the same setting as for sending).
func NewReassembler(c clock.Clock, timeout time.Duration, packed bool) *Reassembler {
	return &Reassembler{clock: c, timeout: timeout, packed: packed, sets: map[moKey]*moSet{}}
}

// Add takes one deliver_sm that is not a receipt. It returns the message and
// true when the message is complete (a single part, or the last missing
// part of a set), and false while parts are still missing.
func (r *Reassembler) Add(d *DeliverSM) (MO, bool, error) {
	ud, cc, err := userData(&d.ShortMessage, r.packed)
	if err != nil {
		return MO{}, false, err
	}
	now := r.clock.Now()
	mo := MO{Source: d.SourceAddr, SourceTON: d.SourceAddrTON, SourceNPI: d.SourceAddrNPI,
		Destination: d.DestinationAddr, DataCoding: d.DataCoding, Parts: 1, Received: now}
	if cc == nil || cc.total <= 1 {
		mo.Text, err = decodeText(d.DataCoding, ud)
		return mo, err == nil, err
	}
	if cc.seq == 0 || cc.seq > cc.total {
		return MO{}, false, fmt.Errorf("smpp: MO part %d of %d is out of range", cc.seq, cc.total)
	}
	k := moKey{source: d.SourceAddr, dest: d.DestinationAddr, ref: cc.ref, total: cc.total}
	r.mu.Lock()
	defer r.mu.Unlock()
	set := r.sets[k]
	if set == nil {
		set = &moSet{first: now, parts: make([][]byte, cc.total), dc: d.DataCoding, ton: d.SourceAddrTON, npi: d.SourceAddrNPI}
		r.sets[k] = set
	}
	if set.parts[cc.seq-1] == nil {
		set.got++
	}
	// A repeated part (the SMSC resending after a lost deliver_sm_resp)
	// replaces the first copy instead of counting twice.
	set.parts[cc.seq-1] = ud
	set.last = now
	if set.got < int(cc.total) {
		return MO{}, false, nil
	}
	delete(r.sets, k)
	var all []byte
	for _, p := range set.parts {
		all = append(all, p...)
	}
	// Decoding the joined units, not each part, keeps an escape or a
	// surrogate pair that a phone split across parts intact.
	mo.Text, err = decodeText(set.dc, all)
	mo.DataCoding, mo.Parts = set.dc, int(cc.total)
	return mo, err == nil, err
}

// Expire removes the sets whose first part is older than the timeout and
// returns what they hold as incomplete messages, oldest first.
func (r *Reassembler) Expire() []MO {
	now := r.clock.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []MO
	for k, set := range r.sets {
		if now.Sub(set.first) < r.timeout {
			continue
		}
		delete(r.sets, k)
		mo := MO{Source: k.source, SourceTON: set.ton, SourceNPI: set.npi, Destination: k.dest,
			DataCoding: set.dc, Parts: int(k.total), Incomplete: true, Received: set.last}
		for _, p := range set.parts {
			if p == nil {
				continue
			}
			// Parts are decoded one by one here: with gaps between them a
			// joined decode could pair halves that never belonged together.
			if s, err := decodeText(set.dc, p); err == nil {
				mo.Text += s
			}
		}
		out = append(out, mo)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Received.Before(out[j].Received) })
	return out
}

// Pending returns the number of incomplete sets being held.
func (r *Reassembler) Pending() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sets)
}

// userData returns the text units of a short message (septets, one per
// octet, for GSM-7; raw octets otherwise) and its concatenation info from a
// UDH (8- or 16-bit reference) or from the SAR TLVs.
func userData(m *ShortMessage, packed bool) ([]byte, *concat, error) {
	ud := m.Message
	if len(ud) == 0 {
		if p, ok := m.TLVs.Get(TagMessagePayload); ok {
			ud = p
		}
	}
	var cc *concat
	hdr := 0 // octets of UDH, length octet included
	if m.ESMClass&ESMClassUDHI != 0 {
		if len(ud) == 0 || int(ud[0])+1 > len(ud) {
			return nil, nil, fmt.Errorf("smpp: UDH length %d exceeds the %d-octet user data", firstOr0(ud), len(ud))
		}
		hdr = int(ud[0]) + 1
		cc = parseUDH(ud[1:hdr])
	}
	if ref, ok := m.TLVs.Uint(TagSARMsgRefNum); ok && cc == nil {
		total, _ := m.TLVs.Uint(TagSARTotalSegments)
		seq, _ := m.TLVs.Uint(TagSARSegmentSeqnum)
		cc = &concat{ref: uint16(ref), total: uint8(total), seq: uint8(seq)}
	}
	if m.DataCoding == DataCodingDefault && packed {
		return unpackAfterUDH(ud, hdr), cc, nil
	}
	return ud[hdr:], cc, nil
}

func firstOr0(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return int(b[0])
}

// parseUDH reads the information elements of a user data header (without
// its length octet) and returns the concatenation element, if any. Other
// elements (ports, national language shift tables ...) are skipped.
func parseUDH(h []byte) *concat {
	for i := 0; i+2 <= len(h); {
		iei, n := h[i], int(h[i+1])
		v := h[i+2:]
		if n > len(v) {
			return nil
		}
		v = v[:n]
		switch {
		case iei == 0x00 && n == 3:
			return &concat{ref: uint16(v[0]), total: v[1], seq: v[2]}
		case iei == 0x08 && n == 4:
			return &concat{ref: uint16(v[0])<<8 | uint16(v[1]), total: v[2], seq: v[3]}
		}
		i += 2 + n
	}
	return nil
}
