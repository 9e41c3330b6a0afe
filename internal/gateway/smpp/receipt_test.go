package smpp

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestParseReceipt(t *testing.T) {
	at := func(s string) time.Time { return receiptTime(s) }
	cases := []struct {
		name string
		dsm  DeliverSM
		want Receipt
	}{
		{
			name: "Appendix B text",
			dsm: DeliverSM{ShortMessage{SourceAddr: "8613800138000", DestinationAddr: "1069", ESMClass: 0x04,
				Message: []byte("id:0123456789 sub:001 dlvrd:001 submit date:2405011230 done date:2405011231 stat:DELIVRD err:000 text:Your order")}},
			want: Receipt{MessageID: "0123456789", State: StateDelivered, Stat: "DELIVRD", Err: "000", Sub: "001", Dlvrd: "001",
				SubmitDate: time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC), DoneDate: at("2405011231"),
				Text: "Your order", Source: "8613800138000", Destination: "1069"},
		},
		{
			name: "lower case keys, hex id, seconds, missing fields, text containing keys",
			dsm: DeliverSM{ShortMessage{ESMClass: 0x04,
				Message: []byte("ID:7f3a9c Submit_Date:240501123059 STAT:undeliv Err:034 Text:id:zzz stat:DELIVRD")}},
			want: Receipt{MessageID: "7f3a9c", State: StateUndelivered, Stat: "UNDELIV", Err: "034",
				SubmitDate: time.Date(2024, 5, 1, 12, 30, 59, 0, time.UTC), Text: "id:zzz stat:DELIVRD"},
		},
		{
			name: "TLVs win over the text",
			dsm: DeliverSM{ShortMessage{ESMClass: 0x04, Message: []byte("id:111 stat:DELIVRD"),
				TLVs: TLVs{CStringTLV(TagReceiptedMessageID, "A1B2"), Uint8TLV(TagMessageState, 3), {Tag: TagNetworkErrorCode, Value: []byte{3, 0, 0x22}}}}},
			want: Receipt{MessageID: "A1B2", State: StateExpired, Stat: "DELIVRD", NetworkError: []byte{3, 0, 0x22}},
		},
		{
			name: "TLVs only, receipted_message_id without terminator",
			dsm: DeliverSM{ShortMessage{ESMClass: 0x04,
				TLVs: TLVs{{Tag: TagReceiptedMessageID, Value: []byte("42")}, Uint8TLV(TagMessageState, 8)}}},
			want: Receipt{MessageID: "42", State: StateRejected},
		},
		{
			name: "text in message_payload, bad date ignored",
			dsm: DeliverSM{ShortMessage{ESMClass: 0x04,
				TLVs: TLVs{{Tag: TagMessagePayload, Value: []byte("id:9 done date:24x5011231 stat:EXPIRED")}}}},
			want: Receipt{MessageID: "9", State: StateExpired, Stat: "EXPIRED"},
		},
		{
			name: "UCS-2 text",
			dsm: DeliverSM{ShortMessage{ESMClass: 0x04, DataCoding: 8,
				Message: []byte{0, 'i', 0, 'd', 0, ':', 0, '5', 0, ' ', 0, 's', 0, 't', 0, 'a', 0, 't', 0, ':', 0, 'R', 0, 'E', 0, 'J', 0, 'E', 0, 'C', 0, 'T', 0, 'D'}}},
			want: Receipt{MessageID: "5", State: StateRejected, Stat: "REJECTD"},
		},
		{
			name: "intermediate state is unknown",
			dsm:  DeliverSM{ShortMessage{ESMClass: 0x04, Message: []byte("id:5 stat:ENROUTE")}},
			want: Receipt{MessageID: "5", State: StateUnknown, Stat: "ENROUTE"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !IsReceipt(&tc.dsm) {
				t.Fatal("IsReceipt = false")
			}
			got, err := ParseReceipt(&tc.dsm)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseReceiptWithoutID(t *testing.T) {
	_, err := ParseReceipt(&DeliverSM{ShortMessage{ESMClass: 4, Message: []byte("stat:DELIVRD")}})
	if !errors.Is(err, ErrNoMessageID) {
		t.Fatalf("err = %v", err)
	}
}

func TestMessageStateMapping(t *testing.T) {
	want := map[MessageState]State{
		MsgEnroute: StateUnknown, MsgDelivered: StateDelivered, MsgExpired: StateExpired, MsgDeleted: StateUndelivered,
		MsgUndeliverable: StateUndelivered, MsgAccepted: StateUnknown, MsgUnknown: StateUnknown, MsgRejected: StateRejected,
	}
	for m, s := range want {
		if m.State() != s {
			t.Errorf("message_state %d -> %s, want %s", m, m.State(), s)
		}
	}
}
