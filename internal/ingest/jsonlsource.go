package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// jsonlSource reads one JSON object per line. Keys are the same names and
// aliases as CSV headers. Strings are taken as they are; numbers and
// booleans as their literal text; an array (tags) as its elements joined by
// ";"; for customers, an "attributes" object adds its members to the
// unknown keys, which all become attributes.
type jsonlSource struct {
	br      *bufio.Reader
	spec    *spec
	line    int
	long    []byte // a line longer than the reader's buffer, gathered here
	m       map[string]json.RawMessage
	keys    map[string]int // key -> canonical column, -1 for unknown
	rec     record
	setBy   []string // key that filled each canonical column of this line
	raw     [1]string
	checked bool
}

func newJSONLSource(br *bufio.Reader, s *spec) *jsonlSource {
	j := &jsonlSource{br: br, spec: s, m: map[string]json.RawMessage{}, keys: map[string]int{}}
	j.rec.vals = make([]string, len(s.columns))
	j.setBy = make([]string, len(s.columns))
	return j
}

func (j *jsonlSource) rejectHeader() []string { return []string{"record"} }

// readLine returns the next line without its end, gathering lines longer
// than the buffer up to maxRecord.
func (j *jsonlSource) readLine() ([]byte, error) {
	j.line++
	b, err := j.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		j.long = append(j.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = j.br.ReadSlice('\n')
			if len(j.long) <= maxRecord {
				j.long = append(j.long, b...)
			}
		}
		if len(j.long) > maxRecord {
			j.long = j.long[:0]
			return nil, &badRow{fmt.Sprintf("line longer than %d MB", maxRecord>>20)}
		}
		b = j.long
	}
	if err == io.EOF && len(b) > 0 {
		err = nil
	}
	return bytes.TrimRight(b, "\r\n"), err
}

func (j *jsonlSource) next() (record, error) {
	rec := &j.rec
	for {
		b, err := j.readLine()
		rec.line, rec.raw = j.line, nil
		if err != nil {
			return *rec, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		j.raw[0] = string(b)
		rec.raw = j.raw[:]
		clear(j.m)
		if err := json.Unmarshal(b, &j.m); err != nil {
			return *rec, &badRow{"not a JSON object: " + jsonReason(err)}
		}
		if !j.checked {
			if err := j.checkRequired(); err != nil {
				return *rec, err
			}
			j.checked = true
		}
		if err := j.fill(); err != nil {
			return *rec, &badRow{err.Error()}
		}
		if err := validText(rec.vals); err != nil {
			return *rec, &badRow{err.Error()}
		}
		return *rec, nil
	}
}

// checkRequired fails the file when its first object lacks a required key,
// the JSONL counterpart of a header without a required column.
func (j *jsonlSource) checkRequired() error {
	var found []string
	have := make([]bool, len(j.spec.columns))
	for k := range j.m {
		found = append(found, k)
		if c := j.spec.column(k); c >= 0 {
			have[c] = true
		}
	}
	slices.Sort(found)
	for _, c := range j.spec.required {
		if !have[c] {
			return missingColumn(j.spec, c, found)
		}
	}
	return nil
}

func (j *jsonlSource) column(k string) int {
	c, ok := j.keys[k]
	if !ok {
		c = j.spec.column(k)
		if len(j.keys) < 1000 { // a file with ever-new keys must not grow this
			j.keys[k] = c
		}
	}
	return c
}

func (j *jsonlSource) fill() error {
	rec := &j.rec
	clear(rec.vals)
	rec.extras = rec.extras[:0]
	clear(j.setBy)
	for k, raw := range j.m {
		if j.spec.extras && normHeader(k) == "attributes" && len(raw) > 0 && raw[0] == '{' {
			var attrs map[string]json.RawMessage
			if err := json.Unmarshal(raw, &attrs); err != nil {
				return fmt.Errorf("attributes: %s", jsonReason(err))
			}
			for ak, av := range attrs {
				v, err := jsonText(av)
				if err != nil {
					return err
				}
				rec.extras = append(rec.extras, extra{name: ak, value: v})
			}
			continue
		}
		v, err := jsonText(raw)
		if err != nil {
			return err
		}
		c := j.column(k)
		if c >= 0 && j.setBy[c] != "" && k < j.setBy[c] {
			// Two keys name one column: the smaller key wins, whatever
			// order the map gives, and the other is an unknown key, as a
			// repeated CSV column is.
			k, v, j.setBy[c], rec.vals[c] = j.setBy[c], rec.vals[c], k, v
		} else if c >= 0 && j.setBy[c] == "" {
			j.setBy[c], rec.vals[c] = k, v
			continue
		}
		if j.spec.extras {
			rec.extras = append(rec.extras, extra{name: k, value: v})
		}
	}
	// Map order is random; attributes must not be, or every import of the
	// same file would look like a change.
	slices.SortFunc(rec.extras, func(a, b extra) int { return strings.Compare(a.name, b.name) })
	return nil
}

// jsonText turns a JSON value into the text a CSV cell would hold.
func jsonText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		if bytes.IndexByte(raw, '\\') < 0 {
			return string(raw[1 : len(raw)-1]), nil
		}
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 'n':
		return "", nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return "", err
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			s, err := jsonText(it)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ";"), nil
	}
	return string(raw), nil
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "expected an object, found " + te.Value
	}
	return err.Error()
}
