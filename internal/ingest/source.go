package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// countReader counts the bytes read from the input, for the progress ETA;
// the writer goroutine reads the count while the reader goroutine adds.
type countReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// sniffSize bounds how far into a file we look for its first non-ASCII
// byte to tell UTF-8 from GBK. A GBK export whose first megabyte is all
// ASCII is read as UTF-8; its Chinese rows are then rejected one by one as
// invalid UTF-8 rather than imported as garbage.
const sniffSize = 1 << 20

// Encoding names as reported in messages.
const (
	encUTF8 = "UTF-8"
	encGBK  = "GBK"
)

// decodeText returns the input as UTF-8: a UTF-8 BOM is dropped, and a file
// that is not valid UTF-8 where its first non-ASCII text appears is decoded
// as GB18030, the superset of GBK that Chinese Excel writes.
func decodeText(r io.Reader) (*bufio.Reader, string, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", err
	}
	if len(head) == 0 {
		return nil, "", errors.New("the file is empty")
	}
	switch {
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		br.Discard(3)
		return br, encUTF8, nil
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		return nil, "", errors.New("the file is UTF-16 text; save it as CSV (UTF-8) instead")
	case bytes.IndexByte(head[:min(len(head), 8192)], 0) >= 0:
		return nil, "", errors.New("not a text file (it contains NUL bytes)")
	}
	if looksUTF8(head) {
		return br, encUTF8, nil
	}
	dec := transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	return bufio.NewReaderSize(dec, 64<<10), encGBK, nil
}

// looksUTF8 checks the text around the first non-ASCII byte. A window cut in
// the middle of a character at the end of the buffer still counts as valid.
func looksUTF8(b []byte) bool {
	i := 0
	for i < len(b) && b[i] < utf8.RuneSelf {
		i++
	}
	if i == len(b) {
		return true
	}
	w := b[i:min(len(b), i+4096)]
	for k := 0; k < utf8.UTFMax && len(w) > 0; k++ {
		if utf8.Valid(w) {
			return true
		}
		w = w[:len(w)-1]
	}
	return false
}

// sniffFormat guesses JSONL (the first thing in the file is "{", or "[",
// which is then refused as a JSON array) or CSV.
func sniffFormat(br *bufio.Reader) string {
	head, _ := br.Peek(4096)
	t := bytes.TrimLeft(head, " \t\r\n")
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return "jsonl"
	}
	return "csv"
}

// maxRecord bounds one record. Without it, a quote left open would make the
// CSV reader gather the rest of the file into a single field: memory would
// grow with the file, which an importer promises never to do.
const maxRecord = 1 << 20

// guardReader stops a runaway record: it fails once more than maxRecord
// bytes were read past the end of the last complete record.
type guardReader struct {
	r     io.Reader
	n     int64
	limit int64
}

var errRecordTooLong = fmt.Errorf("a record runs over %d MB (is a quote left open?)", maxRecord>>20)

func (g *guardReader) Read(p []byte) (int, error) {
	if g.n > g.limit {
		return 0, errRecordTooLong
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}
