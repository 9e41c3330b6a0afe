package compose

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"nudge/internal/store"
)

// codePattern is what a coupon code may be: it goes into an SMS, so it
// stays within characters every encoding and every handset shows alike.
var codePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Limits of imports and generated codes.
const (
	// MaxGenerate is the most codes one Generate call makes.
	MaxGenerate = 1_000_000
	// maxProblems is how many rejected codes an import lists.
	maxProblems = 100
	// codeBatch is the rows of one INSERT.
	codeBatch = 500
)

// ImportResult says what an import or a generation did. Duplicates are
// codes already in a pool (this one or another: a code is unique across
// pools) or repeated in the input; Rejected are codes that cannot be sent
// (Problems lists the first 100).
type ImportResult struct {
	Added      int64         `json:"added"`
	Duplicates int64         `json:"duplicates"`
	Rejected   int64         `json:"rejected"`
	Problems   []CodeProblem `json:"problems,omitempty"`
}

// CodeProblem is a rejected code: its line (or place in a list, from 1),
// the code and why.
type CodeProblem struct {
	Line   int    `json:"line"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
}

// importer batches codes into multi-row inserts that skip codes already
// stored, so that an interrupted import can simply be run again.
type importer struct {
	s     *Service
	ctx   context.Context
	pool  int64
	batch []string
	seen  map[string]bool // codes of the current batch
	res   ImportResult
}

func (s *Service) newImporter(ctx context.Context, pool string) (*importer, error) {
	p, err := s.pool(ctx, pool)
	if err != nil {
		return nil, err
	}
	return &importer{s: s, ctx: ctx, pool: p.id, seen: map[string]bool{}}, nil
}

// add takes one code from line of the input.
func (im *importer) add(line int, code string) error {
	if !codePattern.MatchString(code) {
		im.res.Rejected++
		if len(im.res.Problems) < maxProblems {
			reason := "use 1-64 letters, digits, - or _"
			if len(code) > 64 {
				reason = "longer than 64 characters"
			}
			im.res.Problems = append(im.res.Problems, CodeProblem{Line: line, Code: truncate(code, 64), Reason: reason})
		}
		return nil
	}
	if im.seen[code] {
		im.res.Duplicates++
		return nil
	}
	im.seen[code] = true
	im.batch = append(im.batch, code)
	if len(im.batch) >= codeBatch {
		return im.flush()
	}
	return nil
}

// flush inserts the batch; codes the store already holds are skipped and
// counted as duplicates.
func (im *importer) flush() error {
	if len(im.batch) == 0 {
		return nil
	}
	n, err := im.s.insertCodes(im.ctx, im.pool, im.batch)
	if err != nil {
		return err
	}
	im.res.Added += n
	im.res.Duplicates += int64(len(im.batch)) - n
	im.batch = im.batch[:0]
	clear(im.seen)
	return nil
}

// insertCodes inserts codes into a pool and returns how many were new.
func (s *Service) insertCodes(ctx context.Context, pool int64, codes []string) (int64, error) {
	args := make([]any, 0, 2*len(codes))
	for _, c := range codes {
		args = append(args, pool, c)
	}
	q := s.db.Rebind(`INSERT INTO coupon_codes (pool_id, code) VALUES ` + store.Placeholders(len(codes), 2) +
		` ON CONFLICT (code) DO NOTHING`)
	res, err := s.db.W.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, fmt.Errorf("compose: add codes: %w", err)
	}
	return res.RowsAffected()
}

// ImportCodes adds a list of codes to a pool (the API's import). Spaces
// around a code are trimmed; empty entries are skipped.
func (s *Service) ImportCodes(ctx context.Context, pool string, codes []string) (ImportResult, error) {
	im, err := s.newImporter(ctx, pool)
	if err != nil {
		return ImportResult{}, err
	}
	for i, c := range codes {
		if c = strings.TrimSpace(c); c == "" {
			continue
		}
		if err := im.add(i+1, c); err != nil {
			return im.res, err
		}
	}
	return im.res, im.flush()
}

// ImportFile adds the codes of a text or CSV file to a pool, streaming: one
// code per line, the first column of a CSV line (cut at a comma, tab or
// semicolon). Blank lines are skipped, and so is a first line that reads
// code, coupon, coupon_code, 券码 or 优惠码 (a header).
func (s *Service) ImportFile(ctx context.Context, pool string, r io.Reader) (ImportResult, error) {
	im, err := s.newImporter(ctx, pool)
	if err != nil {
		return ImportResult{}, err
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if i := strings.IndexAny(text, ",\t;"); i >= 0 {
			text = text[:i]
		}
		text = strings.TrimSpace(strings.Trim(strings.TrimSpace(text), `"`))
		if text == "" {
			continue
		}
		if line == 1 {
			switch strings.ToLower(text) {
			case "code", "coupon", "coupon_code", "券码", "优惠码":
				continue
			}
		}
		if line%(codeBatch*20) == 0 {
			if err := ctx.Err(); err != nil {
				return im.res, err
			}
		}
		if err := im.add(line, text); err != nil {
			return im.res, err
		}
	}
	if err := sc.Err(); err != nil {
		return im.res, fmt.Errorf("compose: read codes at line %d: %w", line+1, err)
	}
	return im.res, im.flush()
}

// codeAlphabet is what generated codes are made of: capitals and digits
// without 0/O and 1/I, which readers confuse when typing a code from an
// SMS. 32 symbols, so a random byte maps to one without bias.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// Generate adds n random codes to a pool, each prefix followed by length
// random symbols (default 8: 40 bits, so guessing a valid code is
// hopeless). Codes that collide with stored ones are drawn again, so
// exactly n are added.
func (s *Service) Generate(ctx context.Context, pool string, n int, prefix string, length int) (ImportResult, error) {
	if length == 0 {
		length = defaultCodeLength
	}
	switch {
	case n < 1 || n > MaxGenerate:
		return ImportResult{}, &FieldError{Field: "count", Reason: fmt.Sprintf("%d: generate between 1 and %d codes", n, MaxGenerate)}
	case length < 6 || length > 32:
		return ImportResult{}, &FieldError{Field: "length", Reason: fmt.Sprintf("%d: codes need 6 to 32 random characters", length)}
	case prefix != "" && (!codePattern.MatchString(prefix) || len(prefix) > 16):
		return ImportResult{}, &FieldError{Field: "prefix", Reason: fmt.Sprintf("%q: use up to 16 letters, digits, - or _", prefix)}
	}
	p, err := s.pool(ctx, pool)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	buf := make([]byte, length)
	batch := make([]string, 0, codeBatch)
	// Each round adds its batch less the collisions; with 32^6 or more
	// codes per prefix, running out of rounds means the space is full.
	for rounds := 0; res.Added < int64(n); rounds++ {
		if rounds > 4*(n/codeBatch+1)+16 {
			return res, fmt.Errorf("compose: generate: only %d of %d codes were new; use a longer code or another prefix", res.Added, n)
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		batch = batch[:0]
		seen := map[string]bool{}
		for len(batch) < min(codeBatch, n-int(res.Added)) {
			rand.Read(buf)
			for i, b := range buf {
				buf[i] = codeAlphabet[b&31]
			}
			if c := prefix + string(buf); !seen[c] {
				seen[c] = true
				batch = append(batch, c)
			}
		}
		added, err := s.insertCodes(ctx, p.id, batch)
		if err != nil {
			return res, err
		}
		res.Added += added
	}
	return res, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
