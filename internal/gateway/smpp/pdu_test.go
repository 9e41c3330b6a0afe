package smpp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// hexb turns a spaced hex dump into bytes, so that test PDUs can be written
// field by field as in the specification's tables.
func hexb(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// asciiHex spells a string as hex so that C-Octet strings in the tables
// below read as text.
func asciiHex(s string) string { return hex.EncodeToString([]byte(s)) }

var codecCases = []struct {
	name string
	hex  string
	pdu  PDU
}{
	{
		name: "enquire_link",
		hex:  "00000010 00000015 00000000 00000001",
		pdu:  PDU{Header: Header{Sequence: 1}, Body: &EnquireLink{}},
	},
	{
		name: "enquire_link_resp",
		hex:  "00000010 80000015 00000000 7fffffff",
		pdu:  PDU{Header: Header{Sequence: 0x7fffffff}, Body: &EnquireLinkResp{}},
	},
	{
		// The example of SMPP 3.4 section 3.3, with interface_version 0x34.
		name: "bind_transmitter",
		hex: "0000002F 00000002 00000000 00000001" +
			asciiHex("SMPP3TEST") + "00" + asciiHex("secret08") + "00" + asciiHex("SUBMIT1") + "00" +
			"34 01 01 00",
		pdu: PDU{Header: Header{Sequence: 1}, Body: &Bind{Type: Transmitter, SystemID: "SMPP3TEST", Password: "secret08",
			SystemType: "SUBMIT1", InterfaceVersion: 0x34, AddrTON: 1, AddrNPI: 1}},
	},
	{
		name: "bind_transceiver",
		hex: "00000020 00000009 00000000 00000002" +
			asciiHex("nudge") + "00" + asciiHex("pw") + "00" + "00" + "34 00 00" + asciiHex("86") + "00",
		pdu: PDU{Header: Header{Sequence: 2}, Body: &Bind{Type: Transceiver, SystemID: "nudge", Password: "pw",
			InterfaceVersion: 0x34, AddressRange: "86"}},
	},
	{
		name: "bind_receiver",
		hex:  "00000017 00000001 00000000 00000003 00 00 00 34 00 00 00",
		pdu:  PDU{Header: Header{Sequence: 3}, Body: &Bind{Type: Receiver, InterfaceVersion: 0x34}},
	},
	{
		name: "bind_transceiver_resp with sc_interface_version",
		hex:  "0000001A 80000009 00000000 00000002" + asciiHex("SMSC") + "00" + "0210 0001 34",
		pdu: PDU{Header: Header{Sequence: 2}, Body: &BindResp{Type: Transceiver, SystemID: "SMSC",
			TLVs: TLVs{{Tag: TagSCInterfaceVersion, Value: []byte{0x34}}}}},
	},
	{
		name: "bind_transmitter_resp refused, header only",
		hex:  "00000010 80000002 0000000E 00000001",
		pdu:  PDU{Header: Header{Status: ESME_RINVPASWD, Sequence: 1}, Body: &BindResp{Type: Transmitter}},
	},
	{
		name: "submit_sm",
		hex: "0000003E 00000004 00000000 00000005" +
			"00" + // service_type
			"05 00" + asciiHex("nudge") + "00" + // source ton, npi, addr
			"01 01" + asciiHex("8613800138000") + "00" + // dest ton, npi, addr
			"00 00 00" + "00" + "00" + // esm_class, protocol_id, priority; schedule, validity
			"01 00 00 00" + // registered_delivery, replace, data_coding, sm_default_msg_id
			"05" + asciiHex("Hello") + // sm_length, short_message
			"0204 0002 0007", // user_message_reference
		pdu: PDU{Header: Header{Sequence: 5}, Body: &SubmitSM{ShortMessage{
			SourceAddrTON: 5, SourceAddr: "nudge", DestAddrTON: 1, DestAddrNPI: 1, DestinationAddr: "8613800138000",
			RegisteredDelivery: 1, Message: []byte("Hello"),
			TLVs: TLVs{{Tag: TagUserMessageReference, Value: []byte{0, 7}}},
		}}},
	},
	{
		name: "submit_sm_resp",
		hex:  "00000017 80000004 00000000 00000005" + asciiHex("abc123") + "00",
		pdu:  PDU{Header: Header{Sequence: 5}, Body: &SubmitSMResp{MessageID: "abc123"}},
	},
	{
		name: "submit_sm_resp throttled, header only",
		hex:  "00000010 80000004 00000058 00000007",
		pdu:  PDU{Header: Header{Status: ESME_RTHROTTLED, Sequence: 7}, Body: &SubmitSMResp{}},
	},
	{
		name: "deliver_sm receipt with TLVs",
		hex: "00000042 00000005 00000000 00000009" +
			"00" + "01 01" + asciiHex("8613800138000") + "00" + "00 00" + "00" +
			"04 00 00" + "00" + "00" + "00 00 00 00" + "00" +
			"001E 0004" + asciiHex("a1b") + "00" + // receipted_message_id
			"0427 0001 02" + // message_state DELIVERED
			"0423 0003 03 0001", // network_error_code
		pdu: PDU{Header: Header{Sequence: 9}, Body: &DeliverSM{ShortMessage{
			SourceAddrTON: 1, SourceAddrNPI: 1, SourceAddr: "8613800138000", ESMClass: ESMClassReceipt,
			Message: []byte{},
			TLVs: TLVs{
				{Tag: TagReceiptedMessageID, Value: []byte("a1b\x00")},
				{Tag: TagMessageState, Value: []byte{2}},
				{Tag: TagNetworkErrorCode, Value: []byte{3, 0, 1}},
			},
		}}},
	},
	{
		name: "deliver_sm_resp",
		hex:  "00000011 80000005 00000000 00000009 00",
		pdu:  PDU{Header: Header{Sequence: 9}, Body: &DeliverSMResp{}},
	},
	{
		name: "unbind",
		hex:  "00000010 00000006 00000000 0000000A",
		pdu:  PDU{Header: Header{Sequence: 10}, Body: &Unbind{}},
	},
	{
		name: "unbind_resp",
		hex:  "00000010 80000006 00000000 0000000A",
		pdu:  PDU{Header: Header{Sequence: 10}, Body: &UnbindResp{}},
	},
	{
		name: "generic_nack",
		hex:  "00000010 80000000 00000003 0000000B",
		pdu:  PDU{Header: Header{Status: ESME_RINVCMDID, Sequence: 11}, Body: &GenericNackBody{}},
	},
	{
		name: "unknown command (query_sm) keeps its body",
		hex:  "00000014 00000003 00000000 0000000C 41 00 00 00",
		pdu:  PDU{Header: Header{Sequence: 12}, Body: &Unknown{ID: 0x00000003, Raw: []byte{0x41, 0, 0, 0}}},
	},
}

func TestCodecBothDirections(t *testing.T) {
	for _, tc := range codecCases {
		t.Run(tc.name, func(t *testing.T) {
			want := hexb(t, tc.hex)
			p := tc.pdu
			got, err := p.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("Marshal:\n got %x\nwant %x", got, want)
			}
			dec, err := Unmarshal(want)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(*dec, p) {
				t.Fatalf("Unmarshal:\n got %#v %#v\nwant %#v %#v", dec.Header, dec.Body, p.Header, p.Body)
			}
			// The stream reader must agree with Unmarshal and hand back the raw bytes.
			sp, raw, err := ReadPDU(bytes.NewReader(append(want, 0xEE)))
			if err != nil || !reflect.DeepEqual(*sp, p) || !bytes.Equal(raw, want) {
				t.Fatalf("ReadPDU = %#v, %x, %v", sp, raw, err)
			}
		})
	}
}

func TestDecodeErrorsSayWhatAndWhere(t *testing.T) {
	cases := []struct {
		name   string
		hex    string
		cmd    CommandID
		field  string
		offset int
	}{
		{"short header", "00000010 00000015 0000", 0, "header", 10},
		{"length below header", "0000000F 00000015 00000000 00000001", 0, "command_length", 0},
		{"length above maximum", "00011000 00000015 00000000 00000001", 0, "command_length", 0},
		{"length disagrees with buffer", "00000014 00000015 00000000 00000001", EnquireLinkID, "command_length", 0},
		{"trailing octets on header-only command", "00000011 00000015 00000000 00000001 00", EnquireLinkID, "body", 16},
		{"system_id without terminator", "00000020 00000002 00000000 00000001" + asciiHex("ABCDEFGHIJKLMNOP"),
			BindTransmitter, "system_id", 16},
		{"password too long", "00000021 00000002 00000000 00000001 00" + asciiHex("123456789") + "00 00 34 00 00 00 00" + "",
			BindTransmitter, "password", 17},
		{"body ends inside bind", "00000013 00000002 00000000 00000001 00 00 00", BindTransmitter, "interface_version", 19},
		{"sm_length beyond body", "00000025 00000004 00000000 00000001 00 0000 00 0000 00 000000 00 00 00000000 05" + "41 42 43 44",
			SubmitSMID, "short_message", 33},
		{"TLV length beyond body", "00000016 80000009 00000000 00000001 00 0210 0002 34", BindTransceiverResp, "sc_interface_version", 17},
		{"TLV header cut", "00000014 80000009 00000000 00000001 00 0210 00", BindTransceiverResp, "tlv", 17},
		{"message_id over 65", "00000052 80000004 00000000 00000001" + strings.Repeat("41", 66), SubmitSMRespID, "message_id", 16},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Unmarshal(hexb(t, tc.hex))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want *DecodeError", err)
			}
			if de.Command != tc.cmd || de.Field != tc.field || de.Offset != tc.offset {
				t.Fatalf("got %s/%s@%d (%v), want %s/%s@%d", de.Command, de.Field, de.Offset, err, tc.cmd, tc.field, tc.offset)
			}
		})
	}
}

func TestReadPDURejectsBadLengthBeforeReadingBody(t *testing.T) {
	// A huge command_length must not make the reader allocate or wait for it.
	r := bytes.NewReader(hexb(t, "7FFFFFFF 00000015 00000000 00000001"))
	_, _, err := ReadPDU(r)
	var de *DecodeError
	if !errors.As(err, &de) || de.Field != "command_length" {
		t.Fatalf("err = %v", err)
	}
	if r.Len() != 12 {
		t.Fatalf("reader consumed %d octets past the length", 12-r.Len())
	}
	_, _, err = ReadPDU(bytes.NewReader(hexb(t, "00000011 00000015 00000000")))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncated stream: err = %v", err)
	}
}

func TestEncodeChecksMaxLengths(t *testing.T) {
	cases := []struct {
		body  Body
		field string
	}{
		{&Bind{SystemID: strings.Repeat("x", 16)}, "system_id"},
		{&Bind{Password: "123456789"}, "password"},
		{&Bind{SystemType: strings.Repeat("x", 13)}, "system_type"},
		{&SubmitSM{ShortMessage{DestinationAddr: strings.Repeat("1", 21)}}, "destination_addr"},
		{&SubmitSM{ShortMessage{SourceAddr: "a\x00b"}}, "source_addr"},
		{&SubmitSM{ShortMessage{Message: make([]byte, 255)}}, "short_message"},
		{&SubmitSM{ShortMessage{TLVs: TLVs{{Tag: TagMessagePayload, Value: make([]byte, 70000)}}}}, "message_payload"},
	}
	for _, tc := range cases {
		p := PDU{Body: tc.body}
		_, err := p.Marshal()
		var ee *EncodeError
		if !errors.As(err, &ee) || ee.Field != tc.field {
			t.Errorf("%s: err = %v, want EncodeError on %s", tc.field, err, tc.field)
		}
	}
	// The maxima themselves are allowed.
	p := PDU{Body: &Bind{SystemID: strings.Repeat("x", 15), Password: "12345678"}}
	if _, err := p.Marshal(); err != nil {
		t.Fatalf("maximum lengths refused: %v", err)
	}
}

func TestStatusClassification(t *testing.T) {
	cases := []struct {
		s         Status
		name      string
		temporary bool
		throttle  bool
	}{
		{ESME_RTHROTTLED, "ESME_RTHROTTLED", true, true},
		{ESME_RMSGQFUL, "ESME_RMSGQFUL", true, true},
		{ESME_RSYSERR, "ESME_RSYSERR", true, false},
		{ESME_RINVDSTADR, "ESME_RINVDSTADR", false, false},
		{ESME_RINVMSGLEN, "ESME_RINVMSGLEN", false, false},
		{Status(0x400), "0x00000400", false, false},
	}
	for _, tc := range cases {
		if tc.s.String() != tc.name || tc.s.Temporary() != tc.temporary || tc.s.Throttling() != tc.throttle {
			t.Errorf("%#x: %s temporary=%v throttling=%v", uint32(tc.s), tc.s, tc.s.Temporary(), tc.s.Throttling())
		}
	}
	if ESME_RTHROTTLED != 0x58 || ESME_RMSGQFUL != 0x14 || ESME_RINVDSTADR != 0x0B {
		t.Fatal("status values drifted from SMPP 3.4 5.1.3")
	}
}
