package smpp

import (
	"encoding/binary"
	"fmt"
	"io"
)

// HeaderLen is the size of the PDU header: command_length, command_id,
// command_status and sequence_number, four octets each.
const HeaderLen = 16

// MaxPDULength bounds command_length. A message_payload may carry up to
// 64 KiB, so the bound leaves room for that plus the mandatory fields; a
// length beyond it is treated as a corrupt stream rather than allocated.
const MaxPDULength = 64*1024 + 1024

// Header is the fixed part of every PDU.
type Header struct {
	Length   uint32 // command_length, filled in by Marshal
	Command  CommandID
	Status   Status
	Sequence uint32
}

// Body is the command-specific part of a PDU. The concrete types are
// *Bind, *BindResp, *SubmitSM, *SubmitSMResp, *DeliverSM, *DeliverSMResp,
// *EnquireLink, *EnquireLinkResp, *Unbind, *UnbindResp, *GenericNackBody
// and *Unknown.
type Body interface {
	// CommandID returns the command id the body is sent under.
	CommandID() CommandID
	appendBody(b []byte) ([]byte, error)
	decodeBody(d *decoder)
}

// PDU is one protocol data unit: a header and the body its command id says.
type PDU struct {
	Header
	Body Body
}

// Marshal encodes the PDU, setting Header.Command from the body and
// Header.Length from the encoded size. A response with a non-zero status is
// sent header-only: SMPP 3.4 says the body is not returned on error for
// submit_sm_resp and the bind responses, most SMSCs do the same for every
// response, and a peer only needs the status.
func (p *PDU) Marshal() ([]byte, error) {
	if p.Body == nil {
		return nil, &EncodeError{Command: p.Command, Field: "body", Reason: "missing"}
	}
	p.Command = p.Body.CommandID()
	b := make([]byte, HeaderLen, 64)
	if !(p.Status != ESME_ROK && omitBodyOnError(p.Command)) {
		var err error
		if b, err = p.Body.appendBody(b); err != nil {
			return nil, err
		}
	}
	if len(b) > MaxPDULength {
		return nil, &EncodeError{Command: p.Command, Field: "command_length", Reason: fmt.Sprintf("%d octets exceeds %d", len(b), MaxPDULength)}
	}
	p.Length = uint32(len(b))
	binary.BigEndian.PutUint32(b[0:], p.Length)
	binary.BigEndian.PutUint32(b[4:], uint32(p.Command))
	binary.BigEndian.PutUint32(b[8:], uint32(p.Status))
	binary.BigEndian.PutUint32(b[12:], p.Sequence)
	return b, nil
}

func omitBodyOnError(c CommandID) bool { return c.IsResponse() }

// Unmarshal decodes exactly one PDU from b. It fails when command_length
// disagrees with len(b), so a truncated or padded buffer is an error rather
// than a silently different PDU.
func Unmarshal(b []byte) (*PDU, error) {
	if len(b) < HeaderLen {
		return nil, &DecodeError{Field: "header", Offset: len(b), Reason: fmt.Sprintf("%d octets, need %d", len(b), HeaderLen)}
	}
	h := Header{
		Length:   binary.BigEndian.Uint32(b[0:]),
		Command:  CommandID(binary.BigEndian.Uint32(b[4:])),
		Status:   Status(binary.BigEndian.Uint32(b[8:])),
		Sequence: binary.BigEndian.Uint32(b[12:]),
	}
	if err := checkLength(h.Length); err != nil {
		return nil, err
	}
	if int(h.Length) != len(b) {
		return nil, &DecodeError{Command: h.Command, Field: "command_length", Offset: 0,
			Reason: fmt.Sprintf("says %d octets, buffer has %d", h.Length, len(b))}
	}
	body := newBody(h.Command)
	// An error response may come without its body (SMPP 3.4 4.4.2 for
	// submit_sm_resp); accept that for every response so that the status,
	// which is what matters, reaches the caller.
	if len(b) > HeaderLen || !(h.Command.IsResponse() && h.Status != ESME_ROK) {
		d := &decoder{b: b, off: HeaderLen, cmd: h.Command}
		body.decodeBody(d)
		if d.err == nil && d.off != len(b) {
			d.fail("body", d.off, fmt.Sprintf("%d unexpected trailing octets", len(b)-d.off))
		}
		if d.err != nil {
			return &PDU{Header: h, Body: body}, d.err
		}
	}
	return &PDU{Header: h, Body: body}, nil
}

func checkLength(n uint32) error {
	if n < HeaderLen {
		return &DecodeError{Field: "command_length", Offset: 0, Reason: fmt.Sprintf("%d is shorter than the %d-octet header", n, HeaderLen)}
	}
	if n > MaxPDULength {
		return &DecodeError{Field: "command_length", Offset: 0, Reason: fmt.Sprintf("%d exceeds the maximum %d", n, MaxPDULength)}
	}
	return nil
}

// ReadPDU reads one PDU from r. The second result holds the raw bytes so
// that a caller can log them. An invalid command_length is returned as a
// *DecodeError before any body is read, because the stream cannot be
// resynchronised after it; a body that does not decode is returned with the
// header intact so that the caller can answer with generic_nack.
func ReadPDU(r io.Reader) (*PDU, []byte, error) {
	var hb [4]byte
	if _, err := io.ReadFull(r, hb[:]); err != nil {
		return nil, nil, err
	}
	n := binary.BigEndian.Uint32(hb[:])
	if err := checkLength(n); err != nil {
		return nil, nil, err
	}
	b := make([]byte, n)
	copy(b, hb[:])
	if _, err := io.ReadFull(r, b[4:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, nil, err
	}
	p, err := Unmarshal(b)
	return p, b, err
}

// decoder walks a PDU body, remembering the first error and where it was.
type decoder struct {
	b   []byte
	off int
	cmd CommandID
	err error
}

func (d *decoder) fail(field string, off int, reason string) {
	if d.err == nil {
		d.err = &DecodeError{Command: d.cmd, Field: field, Offset: off, Reason: reason}
	}
}

func (d *decoder) u8(field string) uint8 {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail(field, d.off, "body ends before this field")
		return 0
	}
	v := d.b[d.off]
	d.off++
	return v
}

// cstring reads a C-Octet string whose size including the NUL terminator is
// at most max octets.
func (d *decoder) cstring(field string, max int) string {
	if d.err != nil {
		return ""
	}
	start := d.off
	for i := d.off; i < len(d.b); i++ {
		if d.b[i] == 0 {
			if i-start+1 > max {
				d.fail(field, start, fmt.Sprintf("%d octets with terminator exceeds maximum %d", i-start+1, max))
				return ""
			}
			d.off = i + 1
			return string(d.b[start:i])
		}
		if i-start+1 >= max {
			d.fail(field, start, fmt.Sprintf("no NUL terminator within %d octets", max))
			return ""
		}
	}
	d.fail(field, start, "body ends before the NUL terminator")
	return ""
}

func (d *decoder) bytes(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.fail(field, d.off, fmt.Sprintf("length %d exceeds the %d octets left", n, len(d.b)-d.off))
		return nil
	}
	v := make([]byte, n)
	copy(v, d.b[d.off:])
	d.off += n
	return v
}

// appendCString appends s with its terminator, checking it against max
// (terminator included) and rejecting embedded NULs, which would end the
// field early on the other side.
func appendCString(b []byte, cmd CommandID, field, s string, max int) ([]byte, error) {
	if len(s)+1 > max {
		return nil, &EncodeError{Command: cmd, Field: field, Reason: fmt.Sprintf("%d octets with terminator exceeds maximum %d", len(s)+1, max)}
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return nil, &EncodeError{Command: cmd, Field: field, Reason: "contains a NUL octet"}
		}
	}
	b = append(b, s...)
	return append(b, 0), nil
}
