package segment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"nudge/internal/store"
)

// Group is one of the eight classic RFM groups.
type Group struct {
	Key    string `json:"key"`
	Name   string `json:"name"`    // zh-CN
	NameEN string `json:"name_en"` // English
}

// Groups lists the eight RFM groups in the order reports show them: the
// four "important" groups (monetary above average) first.
var Groups = []Group{
	{"important_value", "重要价值客户", "important value"},
	{"important_develop", "重要发展客户", "important develop"},
	{"important_retain", "重要保持客户", "important retain"},
	{"important_winback", "重要挽留客户", "important winback"},
	{"general_value", "一般价值客户", "general value"},
	{"general_develop", "一般发展客户", "general develop"},
	{"general_retain", "一般保持客户", "general retain"},
	{"general_winback", "一般挽留客户", "general winback"},
}

// GroupByKey returns the group with the key.
func GroupByKey(key string) (Group, bool) {
	for _, g := range Groups {
		if g.Key == key {
			return g, true
		}
	}
	return Group{}, false
}

// DefaultWindowDays is the RFM window when none is given.
const DefaultWindowDays = 365

// RFMOptions choose what an RFM refresh computes.
type RFMOptions struct {
	// AsOf is the date the scores describe (its calendar date in the shop's
	// zone counts; orders up to the end of that day are in). Zero means today.
	AsOf time.Time
	// WindowDays is how many days, ending with AsOf, frequency and
	// monetary count orders over. Zero means DefaultWindowDays.
	WindowDays int
}

// GroupStat is one group's size and revenue in a report.
type GroupStat struct {
	Group
	Customers     int64   `json:"customers"`
	Revenue       int64   `json:"revenue"` // fen, over the window
	CustomerShare float64 `json:"customer_share"`
	RevenueShare  float64 `json:"revenue_share"`
}

// RFMReport describes the latest RFM run.
type RFMReport struct {
	AsOf       string `json:"as_of"` // YYYY-MM-DD
	WindowDays int    `json:"window_days"`
	// Scored counts customers with at least one order in the window; only
	// they get scores and a group. NoOrders counts the other customers,
	// who are left out of the averages and quintiles.
	Scored       int64       `json:"scored"`
	NoOrders     int64       `json:"no_orders"`
	AvgRecency   float64     `json:"avg_recency"`
	AvgFrequency float64     `json:"avg_frequency"`
	AvgMonetary  float64     `json:"avg_monetary"`
	Groups       []GroupStat `json:"groups"` // always all eight, in Groups order
	ComputedAt   time.Time   `json:"computed_at"`
}

// ErrNoRFM is returned by RFM before the first refresh.
var ErrNoRFM = errors.New("segment: RFM has not been computed yet (run nudge rfm)")

// Refresh recomputes RFM as of today with the default window. It is the
// job a scheduler runs nightly (see docs/segments.md); until the scheduler
// exists, `nudge rfm` runs it on demand.
func (s *Service) Refresh(ctx context.Context) error {
	_, err := s.RefreshRFM(ctx, RFMOptions{})
	return err
}

// RefreshRFM replaces the rfm table with scores and groups as of
// opt.AsOf, in one transaction of three set-based statements, and returns
// the report. Readers see the old scores until it commits.
func (s *Service) RefreshRFM(ctx context.Context, opt RFMOptions) (RFMReport, error) {
	if opt.WindowDays == 0 {
		opt.WindowDays = DefaultWindowDays
	}
	if opt.WindowDays < 1 || opt.WindowDays > 3660 {
		return RFMReport{}, fmt.Errorf("segment: RFM window of %d days is outside 1..3660", opt.WindowDays)
	}
	day := s.today()
	if !opt.AsOf.IsZero() {
		day = startOfDay(opt.AsOf, s.opt.Location)
	}
	end := day.AddDate(0, 0, 1)
	start := end.AddDate(0, 0, -opt.WindowDays)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		steps := []struct {
			name string
			args []any
		}{
			{"rfm_clear", nil},
			{"rfm_fill", []any{end.Unix(), start.Unix(), end.Unix()}},
			{"rfm_groups_clear", nil},
			{"rfm_groups_fill", nil},
			{"rfm_run_clear", nil},
			{"rfm_run_fill", []any{day.Format(time.DateOnly), opt.WindowDays, s.opt.Clock.Now().Unix()}},
		}
		for _, st := range steps {
			if _, err := tx.ExecContext(ctx, s.q.Get(st.name), st.args...); err != nil {
				return fmt.Errorf("segment: %s: %w", st.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return RFMReport{}, err
	}
	return s.RFM(ctx)
}

// RFM returns the report of the latest refresh.
func (s *Service) RFM(ctx context.Context) (RFMReport, error) {
	var r RFMReport
	var computed int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("rfm_run")).Scan(&r.AsOf, &r.WindowDays, &r.Scored, &r.NoOrders,
		&r.AvgRecency, &r.AvgFrequency, &r.AvgMonetary, &computed)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNoRFM
	}
	if err != nil {
		return r, err
	}
	if len(r.AsOf) > 10 { // PostgreSQL may hand back a longer text form
		r.AsOf = r.AsOf[:10]
	}
	r.ComputedAt = time.Unix(computed, 0).UTC()
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("rfm_group_stats"))
	if err != nil {
		return r, err
	}
	defer rows.Close()
	stats := map[string][2]int64{}
	var revenue int64
	for rows.Next() {
		var key string
		var n, rev int64
		if err := rows.Scan(&key, &n, &rev); err != nil {
			return r, err
		}
		stats[key] = [2]int64{n, rev}
		revenue += rev
	}
	if err := rows.Err(); err != nil {
		return r, err
	}
	r.Groups = make([]GroupStat, len(Groups))
	for i, g := range Groups {
		st := stats[g.Key]
		r.Groups[i] = GroupStat{Group: g, Customers: st[0], Revenue: st[1],
			CustomerShare: share(st[0], r.Scored), RevenueShare: share(st[1], revenue)}
	}
	return r, nil
}

func share(part, whole int64) float64 {
	if whole <= 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// HeatCell is one cell of the recency x frequency score map.
type HeatCell struct {
	R         int   `json:"r"`
	F         int   `json:"f"`
	Customers int64 `json:"customers"`
	Revenue   int64 `json:"revenue"`
}

// HeatMap returns customers and revenue per (R score, F score) pair of the
// latest refresh; pairs with nobody are left out.
func (s *Service) HeatMap(ctx context.Context) ([]HeatCell, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("rfm_heatmap"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HeatCell
	for rows.Next() {
		var c HeatCell
		if err := rows.Scan(&c.R, &c.F, &c.Customers, &c.Revenue); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Scores is one customer's RFM row.
type Scores struct {
	RecencyDays int64  `json:"recency_days"`
	Frequency   int64  `json:"frequency"`
	Monetary    int64  `json:"monetary"`
	AOV         int64  `json:"aov"`
	R           int    `json:"r"`
	F           int    `json:"f"`
	M           int    `json:"m"`
	Group       string `json:"group"`
}

// ScoresOf returns a customer's scores, or store.ErrNotFound when the
// customer had no order in the window of the latest refresh.
func (s *Service) ScoresOf(ctx context.Context, customerID int64) (Scores, error) {
	var sc Scores
	err := s.db.R.QueryRowContext(ctx, s.q.Get("rfm_of_customer"), customerID).Scan(
		&sc.RecencyDays, &sc.Frequency, &sc.Monetary, &sc.AOV, &sc.R, &sc.F, &sc.M, &sc.Group)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, store.ErrNotFound
	}
	return sc, err
}
