package compose

import (
	"encoding/json"
	"unicode/utf8"
)

// attrIndex locates the top-level members of a customer's attributes
// object, so that each attribute a template asks for is found without
// decoding the whole object into a map (which cost a sixth of a render).
// It is built on first use, once per Fields, in one pass over the JSON.
type attrIndex struct {
	built bool
	// members are the object's members in document order; empty when the
	// attributes are not a valid JSON object.
	members []member
}

// member is one "key": value of an object, as byte offsets into the JSON:
// the key without its quotes, and the value. plainKey says the key holds
// no escape and is valid UTF-8, so its bytes are its text.
type member struct {
	keyLo, keyHi int
	valLo, valHi int
	plainKey     bool
}

// maxDepth is encoding/json's limit on nesting; a deeper document is
// invalid to it, and so to us.
const maxDepth = 10000

// lookup returns the raw JSON value of the top-level member name. Like
// json.Unmarshal into a map, the last of duplicate keys wins and a key is
// compared after its escapes are decoded.
func (x *attrIndex) lookup(doc []byte, name string) ([]byte, bool) {
	if !x.built {
		x.built = true
		var ok bool
		x.members, ok = indexObject(doc, x.members[:0])
		if !ok {
			x.members = x.members[:0]
		}
	}
	for i := len(x.members) - 1; i >= 0; i-- {
		m := x.members[i]
		if m.plainKey {
			if string(doc[m.keyLo:m.keyHi]) != name { // compared in place, not copied
				continue
			}
		} else {
			var key string
			if json.Unmarshal(doc[m.keyLo-1:m.keyHi+1], &key) != nil || key != name {
				continue
			}
		}
		return doc[m.valLo:m.valHi], true
	}
	return nil, false
}

// reset forgets the index and keeps its storage for the next customer.
func (x *attrIndex) reset() { *x = attrIndex{members: x.members[:0]} }

// indexObject appends the top-level members of doc to out. ok is false
// when doc is not valid JSON (by encoding/json's rules, depth limit
// included) or not an object: json.Unmarshal into a map would then leave
// the map empty.
func indexObject(doc []byte, out []member) ([]member, bool) {
	s := jsonScan{b: doc}
	s.space()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return out, false
	}
	s.i++
	s.space()
	if s.peek() == '}' {
		s.i++
	} else {
		for {
			if s.peek() != '"' {
				return out, false
			}
			lo := s.i + 1
			plain, ok := s.str()
			if !ok {
				return out, false
			}
			m := member{keyLo: lo, keyHi: s.i - 1, plainKey: plain}
			s.space()
			if s.peek() != ':' {
				return out, false
			}
			s.i++
			s.space()
			m.valLo = s.i
			if !s.value(1) {
				return out, false
			}
			m.valHi = s.i
			out = append(out, m)
			s.space()
			switch s.peek() {
			case ',':
				s.i++
				s.space()
				continue
			case '}':
				s.i++
			default:
				return out, false
			}
			break
		}
	}
	s.space()
	return out, s.i == len(s.b)
}

// jsonScan checks JSON the way encoding/json's scanner does.
type jsonScan struct {
	b []byte
	i int
}

// peek returns the byte at the cursor, 0 at the end (never valid there).
func (s *jsonScan) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value reads one value inside a container at depth.
func (s *jsonScan) value(depth int) bool {
	switch c := s.peek(); {
	case c == '{' || c == '[':
		return s.container(depth + 1)
	case c == '"':
		_, ok := s.str()
		return ok
	case c == '-' || ('0' <= c && c <= '9'):
		return s.num()
	case c == 't':
		return s.word("true")
	case c == 'f':
		return s.word("false")
	case c == 'n':
		return s.word("null")
	}
	return false
}

// container reads an object or an array that opens at depth.
func (s *jsonScan) container(depth int) bool {
	if depth > maxDepth {
		return false
	}
	closer := byte(']')
	object := s.b[s.i] == '{'
	if object {
		closer = '}'
	}
	s.i++
	s.space()
	if s.peek() == closer {
		s.i++
		return true
	}
	for {
		if object {
			if s.peek() != '"' {
				return false
			}
			if _, ok := s.str(); !ok {
				return false
			}
			s.space()
			if s.peek() != ':' {
				return false
			}
			s.i++
			s.space()
		}
		if !s.value(depth) {
			return false
		}
		s.space()
		switch s.peek() {
		case ',':
			s.i++
			s.space()
		case closer:
			s.i++
			return true
		default:
			return false
		}
	}
}

// str reads a string from its opening quote to just past its closing one.
// plain says it holds no escape and is valid UTF-8, so that its bytes
// between the quotes are its decoded text.
func (s *jsonScan) str() (plain, ok bool) {
	lo := s.i + 1
	plain = true
	for s.i++; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			s.i++
			return plain && utf8.Valid(s.b[lo:s.i-1]), true
		case c == '\\':
			plain = false
			s.i++
			switch s.peek() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				for k := 0; k < 4; k++ {
					s.i++
					if !isHex(s.peek()) {
						return false, false
					}
				}
			default:
				return false, false
			}
		case c < 0x20:
			return false, false
		}
	}
	return false, false
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// num reads a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonScan) num() bool {
	if s.peek() == '-' {
		s.i++
	}
	switch c := s.peek(); {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return false
	}
	if s.peek() == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more digits.
func (s *jsonScan) digits() bool {
	start := s.i
	for c := s.peek(); '0' <= c && c <= '9'; c = s.peek() {
		s.i++
	}
	return s.i > start
}

func (s *jsonScan) word(w string) bool {
	if len(s.b)-s.i < len(w) || string(s.b[s.i:s.i+len(w)]) != w {
		return false
	}
	s.i += len(w)
	return true
}
