package smpp

import "fmt"

// CommandID is an SMPP command_id (SMPP 3.4 section 5.1.2.1). Responses
// have the high bit set.
type CommandID uint32

// Command ids from SMPP 3.4 section 5.1.2.1, for the operations this client
// speaks. Others are decoded as *Unknown.
const (
	GenericNack         CommandID = 0x80000000
	BindReceiver        CommandID = 0x00000001
	BindReceiverResp    CommandID = 0x80000001
	BindTransmitter     CommandID = 0x00000002
	BindTransmitterResp CommandID = 0x80000002
	SubmitSMID          CommandID = 0x00000004
	SubmitSMRespID      CommandID = 0x80000004
	DeliverSMID         CommandID = 0x00000005
	DeliverSMRespID     CommandID = 0x80000005
	UnbindID            CommandID = 0x00000006
	UnbindRespID        CommandID = 0x80000006
	BindTransceiver     CommandID = 0x00000009
	BindTransceiverResp CommandID = 0x80000009
	EnquireLinkID       CommandID = 0x00000015
	EnquireLinkRespID   CommandID = 0x80000015
)

var commandNames = map[CommandID]string{
	GenericNack:         "generic_nack",
	BindReceiver:        "bind_receiver",
	BindReceiverResp:    "bind_receiver_resp",
	BindTransmitter:     "bind_transmitter",
	BindTransmitterResp: "bind_transmitter_resp",
	SubmitSMID:          "submit_sm",
	SubmitSMRespID:      "submit_sm_resp",
	DeliverSMID:         "deliver_sm",
	DeliverSMRespID:     "deliver_sm_resp",
	UnbindID:            "unbind",
	UnbindRespID:        "unbind_resp",
	BindTransceiver:     "bind_transceiver",
	BindTransceiverResp: "bind_transceiver_resp",
	EnquireLinkID:       "enquire_link",
	EnquireLinkRespID:   "enquire_link_resp",
}

// String returns the specification's name of the command, or its hex value.
func (c CommandID) String() string {
	if n, ok := commandNames[c]; ok {
		return n
	}
	return fmt.Sprintf("command_0x%08X", uint32(c))
}

// IsResponse reports whether c is a response (generic_nack included).
func (c CommandID) IsResponse() bool { return c&0x80000000 != 0 }

// BindType says which of the three bind operations a session uses.
type BindType int

// Bind types. The zero value is Transceiver because a gateway that both sends
// and receives receipts on one connection is the common case.
const (
	Transceiver BindType = iota
	Transmitter
	Receiver
)

// String returns the bind type's name as it appears in configuration.
func (b BindType) String() string {
	switch b {
	case Transmitter:
		return "transmitter"
	case Receiver:
		return "receiver"
	default:
		return "transceiver"
	}
}

// commandID returns the request command id for the bind type.
func (b BindType) commandID() CommandID {
	switch b {
	case Transmitter:
		return BindTransmitter
	case Receiver:
		return BindReceiver
	default:
		return BindTransceiver
	}
}

func bindTypeOf(c CommandID) BindType {
	switch c &^ 0x80000000 {
	case BindTransmitter:
		return Transmitter
	case BindReceiver:
		return Receiver
	default:
		return Transceiver
	}
}
