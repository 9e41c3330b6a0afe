package smpp

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Direction says whether a PDU was sent or received.
type Direction string

// Directions of a logged PDU.
const (
	Outbound Direction = "out"
	Inbound  Direction = "in"
)

// PDULog is one PDU exchanged with the SMSC, for the gateway's interaction
// log. Secrets are already redacted: the bind password is written "***" in
// both Summary and Hex.
type PDULog struct {
	Time      time.Time
	Bind      int // index of the session in the pool
	Direction Direction
	Command   CommandID
	Sequence  uint32
	Status    Status
	Summary   string // the decoded fields, one line
	Hex       string // the PDU as sent or received, hex, password replaced
}

// redactedPassword stands in for the bind password in logs.
const redactedPassword = "***"

// newPDULog describes p. raw is what went over the wire; for a bind it is
// re-encoded with the password replaced so that the secret never reaches a
// log, even as hex.
func newPDULog(now time.Time, bind int, dir Direction, p *PDU, raw []byte) PDULog {
	l := PDULog{Time: now, Bind: bind, Direction: dir, Command: p.Command, Sequence: p.Sequence, Status: p.Status}
	if b, ok := p.Body.(*Bind); ok {
		c := *b
		c.Password = redactedPassword
		rp := PDU{Header: p.Header, Body: &c}
		raw, _ = rp.Marshal()
	}
	l.Hex = hex.EncodeToString(raw)
	l.Summary = summarize(p)
	return l
}

func summarize(p *PDU) string {
	var b strings.Builder
	b.WriteString(p.Command.String())
	if p.Status != ESME_ROK {
		fmt.Fprintf(&b, " status=%s", p.Status)
	}
	switch v := p.Body.(type) {
	case *Bind:
		fmt.Fprintf(&b, " system_id=%q password=%s system_type=%q interface_version=0x%02X", v.SystemID, redactedPassword, v.SystemType, v.InterfaceVersion)
	case *BindResp:
		fmt.Fprintf(&b, " system_id=%q", v.SystemID)
	case *SubmitSM:
		summarizeSM(&b, &v.ShortMessage)
	case *DeliverSM:
		summarizeSM(&b, &v.ShortMessage)
	case *SubmitSMResp:
		fmt.Fprintf(&b, " message_id=%q", v.MessageID)
	}
	return b.String()
}

func summarizeSM(b *strings.Builder, m *ShortMessage) {
	fmt.Fprintf(b, " src=%q dst=%q esm_class=0x%02X data_coding=0x%02X registered_delivery=%d sm_length=%d",
		m.SourceAddr, m.DestinationAddr, m.ESMClass, m.DataCoding, m.RegisteredDelivery, len(m.Message))
	for _, t := range m.TLVs {
		fmt.Fprintf(b, " %s(%d)", t.Tag, len(t.Value))
	}
}
