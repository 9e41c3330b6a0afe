package smpp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzDecodePDU feeds arbitrary bytes to the decoder. It must never panic;
// whatever it accepts must have a command_length that matches the buffer and
// must encode back to the same bytes, so that nothing is silently dropped or
// invented; and the stream reader must refuse lengths the header cannot have.
func FuzzDecodePDU(f *testing.F) {
	for _, tc := range codecCases {
		f.Add(hexb(f, tc.hex))
	}
	f.Add([]byte{})
	f.Add(hexb(f, "0000000F 00000015 00000000 00000001"))
	f.Add(hexb(f, "FFFFFFFF 00000004 00000000 00000001"))
	f.Add(hexb(f, "00000016 80000009 00000000 00000001 00 0210 0002 34"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Unmarshal(b)
		if len(b) >= 4 {
			n := binary.BigEndian.Uint32(b)
			if err == nil && int(n) != len(b) {
				t.Fatalf("accepted command_length %d for %d octets", n, len(b))
			}
			if n < HeaderLen || n > MaxPDULength {
				var de *DecodeError
				if _, _, rerr := ReadPDU(bytes.NewReader(b)); !errors.As(rerr, &de) {
					t.Fatalf("ReadPDU accepted command_length %d: %v", n, rerr)
				}
			}
		}
		if err != nil {
			return
		}
		if p.Status != ESME_ROK && omitBodyOnError(p.Command) {
			return // the body of such an error response is deliberately not re-sent
		}
		out, err := p.Marshal()
		if err != nil {
			t.Fatalf("decoded PDU does not encode: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("round trip changed the bytes:\n in %x\nout %x", b, out)
		}
	})
}
