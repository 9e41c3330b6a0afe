package policy

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"nudge/internal/pii"
)

// ImportResult says what a suppression import did.
type ImportResult struct {
	Added    int         `json:"added"`
	Existing int         `json:"existing"`
	Rejected []RowReject `json:"rejected,omitempty"`
}

// RowReject is a line of an import that was refused, with the reason.
type RowReject struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// column aliases of a suppression CSV, lowercased.
var (
	phoneHeaders  = []string{"phone", "mobile", "number", "手机号", "手机", "手机号码", "号码", "电话"}
	reasonHeaders = []string{"reason", "原因"}
	noteHeaders   = []string{"note", "备注"}
)

// ImportSuppressions reads a CSV of numbers to suppress: with a header row
// (phone, reason, note, or 手机号, 原因, 备注), or without one, in which case
// the columns are phone[,reason[,note]]. A missing reason is
// defaultReason. Bad rows are reported, never fatal; good rows are written
// 500 to a transaction.
func (p *Policy) ImportSuppressions(ctx context.Context, r io.Reader, defaultReason Reason, source string) (ImportResult, error) {
	var res ImportResult
	if defaultReason.Bit() == 0 {
		return res, fmt.Errorf("policy: unknown suppression reason %q", defaultReason)
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	col := [3]int{0, 1, 2} // phone, reason, note
	type row struct {
		line                int
		phone, reason, note string
	}
	var batch []row
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		now := p.now()
		err := p.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, b := range batch {
				added, err := p.suppressTx(ctx, tx, b.phone, Reason(b.reason), source, b.note, now)
				if err != nil {
					return err
				}
				if added {
					res.Added++
				} else {
					res.Existing++
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				res.Rejected = append(res.Rejected, RowReject{Line: line, Reason: "not valid CSV: " + pe.Err.Error()})
				continue
			}
			return res, err
		}
		if line == 1 {
			rec[0] = strings.TrimPrefix(rec[0], "\ufeff")
			if c, ok := headerColumns(rec); ok {
				col = c
				continue
			}
		}
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		rw := row{line: line, phone: get(col[0]), reason: strings.ToLower(get(col[1])), note: get(col[2])}
		if rw.reason == "" {
			rw.reason = string(defaultReason)
		}
		if _, err := ParseReason(rw.reason); err != nil {
			res.Rejected = append(res.Rejected, RowReject{Line: line, Reason: err.Error()})
			continue
		}
		if _, err := p.normalize(rw.phone); err != nil {
			res.Rejected = append(res.Rejected, RowReject{Line: line, Reason: strings.TrimPrefix(err.Error(), "policy: ")})
			continue
		}
		batch = append(batch, rw)
		if len(batch) == 500 {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	return res, flush()
}

// headerColumns finds the columns of a header row; ok is false when rec
// has no phone column name, i.e. is data.
func headerColumns(rec []string) ([3]int, bool) {
	c := [3]int{-1, -1, -1}
	for i, f := range rec {
		f = strings.ToLower(strings.TrimSpace(f))
		for k, names := range [][]string{phoneHeaders, reasonHeaders, noteHeaders} {
			for _, n := range names {
				if f == n && c[k] < 0 {
					c[k] = i
				}
			}
		}
	}
	return c, c[0] >= 0
}

// ExportSuppressions writes the list as CSV (phone, reason, source, note,
// created_at), phones masked (138****5678) unless clear is set, and returns
// the number of entries.
func (p *Policy) ExportSuppressions(ctx context.Context, w io.Writer, clear bool) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"phone", "reason", "source", "note", "created_at"}); err != nil {
		return 0, err
	}
	n := 0
	var after int64
	for {
		page, err := p.Suppressions(ctx, after, 1000, "")
		if err != nil {
			return n, err
		}
		for _, s := range page {
			number := s.Phone
			if !clear {
				number = pii.MaskPhone(number)
			}
			if err := cw.Write([]string{number, string(s.Reason), s.Source, s.Note, s.CreatedAt.Format(time.RFC3339)}); err != nil {
				return n, err
			}
			n++
			after = s.ID
		}
		if len(page) < 1000 {
			break
		}
	}
	cw.Flush()
	return n, cw.Error()
}
