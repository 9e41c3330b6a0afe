package smpp

import (
	"errors"
	"fmt"
	"sync/atomic"

	"nudge/internal/sms"
)

// Data coding values (SMPP 3.4 5.2.19) that nudge sends and decodes.
const (
	DataCodingDefault = 0x00 // SMSC default alphabet: GSM 03.38 here
	DataCodingIA5     = 0x01 // IA5 / ASCII
	DataCodingBinary  = 0x04 // 8-bit binary
	DataCodingLatin1  = 0x03 // ISO-8859-1
	DataCodingUCS2    = 0x08 // UCS-2 (UTF-16BE)
)

// LongMode says how a text too long for one short message is submitted.
type LongMode int

const (
	// LongUDH sends one submit_sm per part with a concatenation user data
	// header (IEI 0x00, 8-bit reference) and esm_class UDHI (0x40). It is the
	// default because every SMSC passes it through to the handset unchanged.
	LongUDH LongMode = iota
	// LongSAR sends one submit_sm per part with the sar_msg_ref_num,
	// sar_total_segments and sar_segment_seqnum TLVs and lets the SMSC build
	// the header.
	LongSAR
	// LongPayload sends a single submit_sm with the whole text in the
	// message_payload TLV and lets the SMSC split it.
	LongPayload
)

// String returns the mode's name as it appears in configuration.
func (m LongMode) String() string {
	switch m {
	case LongSAR:
		return "sar"
	case LongPayload:
		return "payload"
	default:
		return "udh"
	}
}

// Part is the encoded content of one submit_sm.
type Part struct {
	DataCoding uint8
	ESMClass   uint8
	Message    []byte // short_message, user data header included
	TLVs       TLVs   // SAR or message_payload
}

// ErrEmptyText is returned for a message with no text: an SMSC would send
// the handset an empty message, which is never what a shop meant.
var ErrEmptyText = errors.New("smpp: empty text")

// udhConcatLen is the size of a concatenation header with an 8-bit
// reference: UDHL, IEI, IEDL, reference, total, sequence.
const udhConcatLen = 6

// EncodeText turns text into the submit_sm parts that carry it. The text is
// GSM-7 (data_coding 0) when every character is in the GSM 03.38 alphabet
// and UCS-2 (data_coding 8) otherwise; sms.Split decides the part
// boundaries so that the count here matches what a shop was shown. packed
// selects GSM-7 packed into octets (7 bits per character) instead of one
// septet per octet; it has no effect on UCS-2. ref is the concatenation
// reference: its low 8 bits in the UDH, all 16 in sar_msg_ref_num; it is
// unused when the text fits one part.
func EncodeText(text string, mode LongMode, packed bool, ref uint16) ([]Part, error) {
	enc, texts := sms.Split(text)
	if len(texts) == 0 {
		return nil, ErrEmptyText
	}
	dc := uint8(DataCodingDefault)
	if enc == sms.UCS2 {
		dc = DataCodingUCS2
	}
	// encode returns a part's user data; fill is the number of bits that
	// precede it in the user data (after a UDH), which matters only to packing.
	encode := func(s string, fill int) ([]byte, error) {
		if enc == sms.UCS2 {
			return sms.EncodeUCS2(s), nil
		}
		septets, err := sms.EncodeGSM7(s)
		if err != nil {
			return nil, fmt.Errorf("smpp: encode text: %w", err)
		}
		if packed {
			return sms.Pack7(septets, fill), nil
		}
		return septets, nil
	}
	if len(texts) == 1 || mode == LongPayload {
		body, err := encode(text, 0)
		if err != nil {
			return nil, err
		}
		if len(texts) == 1 {
			return []Part{{DataCoding: dc, Message: body}}, nil
		}
		return []Part{{DataCoding: dc, TLVs: TLVs{{Tag: TagMessagePayload, Value: body}}}}, nil
	}
	if len(texts) > 255 {
		return nil, fmt.Errorf("smpp: text needs %d parts, at most 255 can be concatenated", len(texts))
	}
	parts := make([]Part, len(texts))
	total := uint8(len(texts))
	for i, s := range texts {
		seq := uint8(i + 1)
		switch mode {
		case LongSAR:
			body, err := encode(s, 0)
			if err != nil {
				return nil, err
			}
			parts[i] = Part{DataCoding: dc, Message: body, TLVs: TLVs{
				Uint16TLV(TagSARMsgRefNum, ref),
				Uint8TLV(TagSARTotalSegments, total),
				Uint8TLV(TagSARSegmentSeqnum, seq),
			}}
		default:
			// 6 header octets are 48 bits; one fill bit brings the first
			// septet to a septet boundary (49 = 7*7), as 3GPP 23.040 9.2.3.24 asks.
			body, err := encode(s, 1)
			if err != nil {
				return nil, err
			}
			msg := make([]byte, 0, udhConcatLen+len(body))
			msg = append(msg, 0x05, 0x00, 0x03, uint8(ref), total, seq)
			parts[i] = Part{DataCoding: dc, ESMClass: ESMClassUDHI, Message: append(msg, body...)}
		}
	}
	return parts, nil
}

// decodeText turns user data (without any UDH) into text by data_coding.
// For GSM-7 the input is septets, one per octet, already unpacked.
func decodeText(dataCoding uint8, ud []byte) (string, error) {
	switch dataCoding {
	case DataCodingDefault:
		return sms.DecodeGSM7(ud)
	case DataCodingIA5:
		return string(ud), nil
	case DataCodingLatin1:
		r := make([]rune, len(ud))
		for i, c := range ud {
			r[i] = rune(c) // ISO-8859-1 is the first 256 code points
		}
		return string(r), nil
	case DataCodingUCS2:
		return sms.DecodeUCS2(ud)
	}
	return "", fmt.Errorf("smpp: data_coding 0x%02X is not text", dataCoding)
}

// refCounter hands out concatenation references. They only need to differ
// between long messages to the same handset that are in flight together, so
// a wrapping counter suffices.
type refCounter struct{ n atomic.Uint32 }

func (c *refCounter) next() uint16 { return uint16(c.n.Add(1)) }
