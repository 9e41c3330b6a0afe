package ingest

import (
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"strconv"
)

// rejectsFile collects the rows an import refused, as CSV: line, reason,
// then the row's own columns, so that a merchant can fix the rows and import
// the file as it is (the importer skips a leading line,reason pair).
//
// It is written in UTF-8 with a BOM whatever the input was: Excel, where
// merchants will open it, only reads Chinese from a UTF-8 CSV with the BOM.
type rejectsFile struct {
	path   string
	header []string
	f      *os.File
	w      *csv.Writer
	n      int
	row    []string
}

// openRejects creates the file at once, so that a rejects path that cannot
// be written stops the import before it writes anything; the header waits
// for the first reject.
func openRejects(path string, header []string) (*rejectsFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &rejectsFile{path: path, header: header, f: f, w: csv.NewWriter(f)}, nil
}

func (r *rejectsFile) add(line int, reason string, raw []string) error {
	if r.n == 0 {
		if _, err := r.f.WriteString("\ufeff"); err != nil {
			return err
		}
		r.row = append(append(r.row[:0], "line", "reason"), r.header...)
		if err := r.w.Write(r.row); err != nil {
			return err
		}
	}
	r.n++
	r.row = append(append(r.row[:0], strconv.Itoa(line), reason), raw...)
	return r.w.Write(r.row)
}

// close finishes the file, or removes it when nothing was rejected (which
// also clears a stale one left by an earlier run).
func (r *rejectsFile) close() error {
	r.w.Flush()
	err := r.w.Error()
	if e := r.f.Close(); err == nil {
		err = e
	}
	if r.n == 0 {
		return removeStale(r.path)
	}
	return err
}

// removeStale deletes a rejects file from an earlier run. Only a regular
// file goes: a rejects path of /dev/null (say, in a benchmark) must survive.
func removeStale(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !st.Mode().IsRegular()) {
		return nil
	}
	if err == nil {
		err = os.Remove(path)
	}
	return err
}
