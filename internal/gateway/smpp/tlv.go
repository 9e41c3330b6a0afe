package smpp

import (
	"encoding/binary"
	"fmt"
)

// Tag is the tag of an optional parameter (TLV), SMPP 3.4 section 5.3.2.
type Tag uint16

// Tags of the optional parameters nudge reads or writes. Every other tag is
// still decoded and re-encoded unchanged; it just has no name here.
const (
	TagReceiptedMessageID   Tag = 0x001E // C-Octet string: SMSC id of the receipted message
	TagUserMessageReference Tag = 0x0204 // 2 octets: ESME's own reference
	TagSourcePort           Tag = 0x020A
	TagDestinationPort      Tag = 0x020B
	TagSARMsgRefNum         Tag = 0x020C // 2 octets: reference of a segmented message
	TagSARTotalSegments     Tag = 0x020E // 1 octet
	TagSARSegmentSeqnum     Tag = 0x020F // 1 octet, 1-based
	TagSCInterfaceVersion   Tag = 0x0210 // 1 octet, in bind responses
	TagNetworkErrorCode     Tag = 0x0423 // 3 octets: network type, error code
	TagMessagePayload       Tag = 0x0424 // up to 64K octets, replaces short_message
	TagMessageState         Tag = 0x0427 // 1 octet, see MessageState
)

var tagNames = map[Tag]string{
	TagReceiptedMessageID: "receipted_message_id", TagUserMessageReference: "user_message_reference",
	TagSourcePort: "source_port", TagDestinationPort: "destination_port",
	TagSARMsgRefNum: "sar_msg_ref_num", TagSARTotalSegments: "sar_total_segments",
	TagSARSegmentSeqnum: "sar_segment_seqnum", TagSCInterfaceVersion: "sc_interface_version",
	TagNetworkErrorCode: "network_error_code", TagMessagePayload: "message_payload",
	TagMessageState: "message_state",
}

// String returns the specification's name of the tag, or its hex value.
func (t Tag) String() string {
	if n, ok := tagNames[t]; ok {
		return n
	}
	return fmt.Sprintf("tlv_0x%04X", uint16(t))
}

// TLV is one optional parameter, kept as raw bytes: the codec never
// interprets a value it was not asked about, so unknown vendor TLVs survive
// a decode/encode round trip.
type TLV struct {
	Tag   Tag
	Value []byte
}

// TLVs is the optional part of a PDU body, in wire order.
type TLVs []TLV

// Get returns the value of the first TLV with the tag.
func (ts TLVs) Get(tag Tag) ([]byte, bool) {
	for _, t := range ts {
		if t.Tag == tag {
			return t.Value, true
		}
	}
	return nil, false
}

// Uint reads a 1-, 2- or 4-octet big-endian integer TLV. It reports false
// when the tag is absent or its length is not one of those.
func (ts TLVs) Uint(tag Tag) (uint32, bool) {
	v, ok := ts.Get(tag)
	if !ok {
		return 0, false
	}
	switch len(v) {
	case 1:
		return uint32(v[0]), true
	case 2:
		return uint32(binary.BigEndian.Uint16(v)), true
	case 4:
		return binary.BigEndian.Uint32(v), true
	}
	return 0, false
}

// CString reads a C-Octet string TLV, tolerating a missing terminator
// because some SMSCs send receipted_message_id without one.
func (ts TLVs) CString(tag Tag) (string, bool) {
	v, ok := ts.Get(tag)
	if !ok {
		return "", false
	}
	for i, c := range v {
		if c == 0 {
			return string(v[:i]), true
		}
	}
	return string(v), true
}

// Set replaces the value of the tag, or appends it.
func (ts *TLVs) Set(tag Tag, value []byte) {
	for i := range *ts {
		if (*ts)[i].Tag == tag {
			(*ts)[i].Value = value
			return
		}
	}
	*ts = append(*ts, TLV{Tag: tag, Value: value})
}

// Uint8TLV builds a one-octet TLV.
func Uint8TLV(tag Tag, v uint8) TLV { return TLV{Tag: tag, Value: []byte{v}} }

// Uint16TLV builds a two-octet big-endian TLV.
func Uint16TLV(tag Tag, v uint16) TLV {
	return TLV{Tag: tag, Value: binary.BigEndian.AppendUint16(nil, v)}
}

// CStringTLV builds a NUL-terminated string TLV.
func CStringTLV(tag Tag, s string) TLV {
	return TLV{Tag: tag, Value: append([]byte(s), 0)}
}

func (ts TLVs) appendTo(b []byte, cmd CommandID) ([]byte, error) {
	for _, t := range ts {
		if len(t.Value) > 0xFFFF {
			return nil, &EncodeError{Command: cmd, Field: t.Tag.String(), Reason: fmt.Sprintf("value of %d octets exceeds 65535", len(t.Value))}
		}
		b = binary.BigEndian.AppendUint16(b, uint16(t.Tag))
		b = binary.BigEndian.AppendUint16(b, uint16(len(t.Value)))
		b = append(b, t.Value...)
	}
	return b, nil
}

// readTLVs consumes the rest of the body as TLVs.
func (d *decoder) readTLVs() TLVs {
	var ts TLVs
	for d.err == nil && d.off < len(d.b) {
		start := d.off
		if len(d.b)-d.off < 4 {
			d.fail("tlv", start, fmt.Sprintf("%d trailing octets are too few for a TLV header", len(d.b)-d.off))
			return nil
		}
		tag := Tag(binary.BigEndian.Uint16(d.b[d.off:]))
		n := int(binary.BigEndian.Uint16(d.b[d.off+2:]))
		d.off += 4
		if n > len(d.b)-d.off {
			d.fail(tag.String(), start, fmt.Sprintf("TLV length %d exceeds the %d octets left", n, len(d.b)-d.off))
			return nil
		}
		v := make([]byte, n)
		copy(v, d.b[d.off:])
		d.off += n
		ts = append(ts, TLV{Tag: tag, Value: v})
	}
	return ts
}
