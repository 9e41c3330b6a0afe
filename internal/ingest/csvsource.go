package ingest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// record is one input row laid out in its kind's canonical columns. Its
// slices belong to the source and are overwritten by the next call.
type record struct {
	line   int      // physical line the row starts on, header = 1
	vals   []string // canonical values
	extras []extra  // unknown columns (customers only)
	raw    []string // the row as written, for the rejects file
}

// badRow is a row the source could read no values from (a CSV quote error,
// a wrong field count, a line that is not JSON); it is rejected with its
// line, and the import goes on.
type badRow struct{ reason string }

func (e *badRow) Error() string { return e.reason }

// source reads records one at a time.
type source interface {
	// next returns the next record, io.EOF at the end, a *badRow for a row
	// to reject, or any other error when the input cannot be read further.
	next() (record, error)
	// rejectHeader names the columns of the rejects file after line,reason.
	rejectHeader() []string
}

type csvSource struct {
	r     *csv.Reader
	guard *guardReader
	lay   *layout
	rec   record
}

func newCSVSource(text io.Reader, s *spec) (*csvSource, error) {
	g := &guardReader{r: text, limit: maxRecord}
	r := csv.NewReader(g)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1 // counted here, to say how many were expected
	header, err := r.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty (no header row)")
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the header row: %w", err)
	}
	lay, err := newLayout(s, header)
	if err != nil {
		return nil, err
	}
	src := &csvSource{r: r, guard: g, lay: lay}
	src.rec.vals = make([]string, len(s.columns))
	src.rec.extras = make([]extra, len(lay.extraPos))
	return src, nil
}

func (c *csvSource) rejectHeader() []string { return c.lay.header[c.lay.skip:] }

func (c *csvSource) next() (record, error) {
	c.guard.limit = c.r.InputOffset() + maxRecord
	fields, err := c.r.Read()
	rec := &c.rec
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rec.line, rec.raw = pe.StartLine, nil
			return *rec, &badRow{fmt.Sprintf("CSV quote error at line %d, column %d: %v", pe.Line, pe.Column, pe.Err)}
		}
		return *rec, err
	}
	rec.line, _ = c.r.FieldPos(0)
	rec.raw = fields[min(c.lay.skip, len(fields)):]
	if len(fields) != len(c.lay.header) {
		return *rec, &badRow{fmt.Sprintf("wrong number of fields: %d, header has %d", len(fields), len(c.lay.header))}
	}
	if err := validText(fields); err != nil {
		return *rec, &badRow{err.Error()}
	}
	for i, p := range c.lay.pos {
		if p >= 0 {
			rec.vals[i] = fields[p]
		} else {
			rec.vals[i] = ""
		}
	}
	for i, p := range c.lay.extraPos {
		rec.extras[i] = extra{name: c.lay.extraNames[i], value: fields[p]}
	}
	return *rec, nil
}
