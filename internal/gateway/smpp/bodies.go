package smpp

import "fmt"

// Maximum sizes of C-Octet string fields, terminator included, from the
// field tables of SMPP 3.4 section 4.
const (
	maxSystemID     = 16
	maxPassword     = 9
	maxSystemType   = 13
	maxAddressRange = 41
	maxServiceType  = 6
	maxAddr         = 21
	maxTime         = 17
	maxMessageID    = 65
	// MaxShortMessage is the largest short_message (sm_length is one octet
	// and SMPP 3.4 caps it at 254).
	MaxShortMessage = 254
)

// InterfaceVersion34 is the interface_version an SMPP 3.4 ESME sends.
const InterfaceVersion34 = 0x34

// Bind is the body of bind_transmitter, bind_receiver and bind_transceiver
// (SMPP 3.4 4.1.1, 4.1.3, 4.1.5); Type selects which.
type Bind struct {
	Type             BindType
	SystemID         string
	Password         string
	SystemType       string
	InterfaceVersion uint8
	AddrTON          uint8
	AddrNPI          uint8
	AddressRange     string
}

// CommandID returns the bind command for b.Type.
func (b *Bind) CommandID() CommandID { return b.Type.commandID() }

func (b *Bind) appendBody(out []byte) ([]byte, error) {
	c := b.CommandID()
	var err error
	if out, err = appendCString(out, c, "system_id", b.SystemID, maxSystemID); err != nil {
		return nil, err
	}
	if out, err = appendCString(out, c, "password", b.Password, maxPassword); err != nil {
		return nil, err
	}
	if out, err = appendCString(out, c, "system_type", b.SystemType, maxSystemType); err != nil {
		return nil, err
	}
	out = append(out, b.InterfaceVersion, b.AddrTON, b.AddrNPI)
	return appendCString(out, c, "address_range", b.AddressRange, maxAddressRange)
}

func (b *Bind) decodeBody(d *decoder) {
	b.Type = bindTypeOf(d.cmd)
	b.SystemID = d.cstring("system_id", maxSystemID)
	b.Password = d.cstring("password", maxPassword)
	b.SystemType = d.cstring("system_type", maxSystemType)
	b.InterfaceVersion = d.u8("interface_version")
	b.AddrTON = d.u8("addr_ton")
	b.AddrNPI = d.u8("addr_npi")
	b.AddressRange = d.cstring("address_range", maxAddressRange)
}

// BindResp is the body of the three bind responses.
type BindResp struct {
	Type     BindType
	SystemID string
	TLVs     TLVs // sc_interface_version
}

// CommandID returns the bind response command for r.Type.
func (r *BindResp) CommandID() CommandID { return r.Type.commandID() | 0x80000000 }

func (r *BindResp) appendBody(out []byte) ([]byte, error) {
	out, err := appendCString(out, r.CommandID(), "system_id", r.SystemID, maxSystemID)
	if err != nil {
		return nil, err
	}
	return r.TLVs.appendTo(out, r.CommandID())
}

func (r *BindResp) decodeBody(d *decoder) {
	r.Type = bindTypeOf(d.cmd)
	r.SystemID = d.cstring("system_id", maxSystemID)
	r.TLVs = d.readTLVs()
}

// ShortMessage holds the fields submit_sm and deliver_sm share (SMPP 3.4
// 4.4.1 and 4.6.1 have the same layout).
type ShortMessage struct {
	ServiceType          string
	SourceAddrTON        uint8
	SourceAddrNPI        uint8
	SourceAddr           string
	DestAddrTON          uint8
	DestAddrNPI          uint8
	DestinationAddr      string
	ESMClass             uint8
	ProtocolID           uint8
	PriorityFlag         uint8
	ScheduleDeliveryTime string
	ValidityPeriod       string
	RegisteredDelivery   uint8
	ReplaceIfPresentFlag uint8
	DataCoding           uint8
	SMDefaultMsgID       uint8
	Message              []byte // short_message; sm_length is len(Message)
	TLVs                 TLVs
}

// esm_class bits used by this package (SMPP 3.4 5.2.12).
const (
	ESMClassReceipt = 0x04 // deliver_sm: message type is an SMSC delivery receipt
	ESMClassUDHI    = 0x40 // short_message begins with a user data header
)

func (m *ShortMessage) appendFields(out []byte, c CommandID) ([]byte, error) {
	if len(m.Message) > MaxShortMessage {
		return nil, &EncodeError{Command: c, Field: "short_message", Reason: fmt.Sprintf("%d octets exceeds %d", len(m.Message), MaxShortMessage)}
	}
	var err error
	if out, err = appendCString(out, c, "service_type", m.ServiceType, maxServiceType); err != nil {
		return nil, err
	}
	out = append(out, m.SourceAddrTON, m.SourceAddrNPI)
	if out, err = appendCString(out, c, "source_addr", m.SourceAddr, maxAddr); err != nil {
		return nil, err
	}
	out = append(out, m.DestAddrTON, m.DestAddrNPI)
	if out, err = appendCString(out, c, "destination_addr", m.DestinationAddr, maxAddr); err != nil {
		return nil, err
	}
	out = append(out, m.ESMClass, m.ProtocolID, m.PriorityFlag)
	if out, err = appendCString(out, c, "schedule_delivery_time", m.ScheduleDeliveryTime, maxTime); err != nil {
		return nil, err
	}
	if out, err = appendCString(out, c, "validity_period", m.ValidityPeriod, maxTime); err != nil {
		return nil, err
	}
	out = append(out, m.RegisteredDelivery, m.ReplaceIfPresentFlag, m.DataCoding, m.SMDefaultMsgID, uint8(len(m.Message)))
	out = append(out, m.Message...)
	return m.TLVs.appendTo(out, c)
}

func (m *ShortMessage) decodeFields(d *decoder) {
	m.ServiceType = d.cstring("service_type", maxServiceType)
	m.SourceAddrTON = d.u8("source_addr_ton")
	m.SourceAddrNPI = d.u8("source_addr_npi")
	m.SourceAddr = d.cstring("source_addr", maxAddr)
	m.DestAddrTON = d.u8("dest_addr_ton")
	m.DestAddrNPI = d.u8("dest_addr_npi")
	m.DestinationAddr = d.cstring("destination_addr", maxAddr)
	m.ESMClass = d.u8("esm_class")
	m.ProtocolID = d.u8("protocol_id")
	m.PriorityFlag = d.u8("priority_flag")
	m.ScheduleDeliveryTime = d.cstring("schedule_delivery_time", maxTime)
	m.ValidityPeriod = d.cstring("validity_period", maxTime)
	m.RegisteredDelivery = d.u8("registered_delivery")
	m.ReplaceIfPresentFlag = d.u8("replace_if_present_flag")
	m.DataCoding = d.u8("data_coding")
	m.SMDefaultMsgID = d.u8("sm_default_msg_id")
	at := d.off
	n := d.u8("sm_length")
	if d.err == nil && n > MaxShortMessage {
		d.fail("sm_length", at, fmt.Sprintf("%d exceeds %d", n, MaxShortMessage))
	}
	m.Message = d.bytes("short_message", int(n))
	m.TLVs = d.readTLVs()
}

// SubmitSM is the body of submit_sm (SMPP 3.4 4.4.1).
type SubmitSM struct{ ShortMessage }

// CommandID returns submit_sm.
func (*SubmitSM) CommandID() CommandID                  { return SubmitSMID }
func (s *SubmitSM) appendBody(b []byte) ([]byte, error) { return s.appendFields(b, SubmitSMID) }
func (s *SubmitSM) decodeBody(d *decoder)               { s.decodeFields(d) }

// DeliverSM is the body of deliver_sm (SMPP 3.4 4.6.1): a mobile-originated
// message or, with ESMClassReceipt, a delivery receipt.
type DeliverSM struct{ ShortMessage }

// CommandID returns deliver_sm.
func (*DeliverSM) CommandID() CommandID                  { return DeliverSMID }
func (s *DeliverSM) appendBody(b []byte) ([]byte, error) { return s.appendFields(b, DeliverSMID) }
func (s *DeliverSM) decodeBody(d *decoder)               { s.decodeFields(d) }

// SubmitSMResp is the body of submit_sm_resp: the SMSC's id for the message.
type SubmitSMResp struct {
	MessageID string
}

// CommandID returns submit_sm_resp.
func (*SubmitSMResp) CommandID() CommandID { return SubmitSMRespID }
func (r *SubmitSMResp) appendBody(b []byte) ([]byte, error) {
	return appendCString(b, SubmitSMRespID, "message_id", r.MessageID, maxMessageID)
}
func (r *SubmitSMResp) decodeBody(d *decoder) { r.MessageID = d.cstring("message_id", maxMessageID) }

// DeliverSMResp is the body of deliver_sm_resp; message_id is unused and
// sent empty (SMPP 3.4 4.6.2).
type DeliverSMResp struct {
	MessageID string
}

// CommandID returns deliver_sm_resp.
func (*DeliverSMResp) CommandID() CommandID { return DeliverSMRespID }
func (r *DeliverSMResp) appendBody(b []byte) ([]byte, error) {
	return appendCString(b, DeliverSMRespID, "message_id", r.MessageID, maxMessageID)
}
func (r *DeliverSMResp) decodeBody(d *decoder) { r.MessageID = d.cstring("message_id", maxMessageID) }

// empty is embedded by the header-only commands.
type empty struct{}

func (empty) appendBody(b []byte) ([]byte, error) { return b, nil }
func (empty) decodeBody(*decoder)                 {}

// EnquireLink is the header-only enquire_link request.
type EnquireLink struct{ empty }

// EnquireLinkResp is the header-only enquire_link_resp.
type EnquireLinkResp struct{ empty }

// Unbind is the header-only unbind request.
type Unbind struct{ empty }

// UnbindResp is the header-only unbind_resp.
type UnbindResp struct{ empty }

// GenericNackBody is the (empty) body of generic_nack; the reason is the
// header's status.
type GenericNackBody struct{ empty }

// CommandID returns enquire_link.
func (*EnquireLink) CommandID() CommandID { return EnquireLinkID }

// CommandID returns enquire_link_resp.
func (*EnquireLinkResp) CommandID() CommandID { return EnquireLinkRespID }

// CommandID returns unbind.
func (*Unbind) CommandID() CommandID { return UnbindID }

// CommandID returns unbind_resp.
func (*UnbindResp) CommandID() CommandID { return UnbindRespID }

// CommandID returns generic_nack.
func (*GenericNackBody) CommandID() CommandID { return GenericNack }

// Unknown is the body of a command this package does not implement. Its
// bytes are kept so that it can be logged.
type Unknown struct {
	ID  CommandID
	Raw []byte
}

// CommandID returns the id the unknown command came with.
func (u *Unknown) CommandID() CommandID                { return u.ID }
func (u *Unknown) appendBody(b []byte) ([]byte, error) { return append(b, u.Raw...), nil }
func (u *Unknown) decodeBody(d *decoder) {
	u.ID = d.cmd
	u.Raw = d.bytes("body", len(d.b)-d.off)
}

func newBody(c CommandID) Body {
	switch c {
	case BindTransmitter, BindReceiver, BindTransceiver:
		return &Bind{Type: bindTypeOf(c)}
	case BindTransmitterResp, BindReceiverResp, BindTransceiverResp:
		return &BindResp{Type: bindTypeOf(c)}
	case SubmitSMID:
		return &SubmitSM{}
	case SubmitSMRespID:
		return &SubmitSMResp{}
	case DeliverSMID:
		return &DeliverSM{}
	case DeliverSMRespID:
		return &DeliverSMResp{}
	case EnquireLinkID:
		return &EnquireLink{}
	case EnquireLinkRespID:
		return &EnquireLinkResp{}
	case UnbindID:
		return &Unbind{}
	case UnbindRespID:
		return &UnbindResp{}
	case GenericNack:
		return &GenericNackBody{}
	}
	return &Unknown{ID: c}
}
