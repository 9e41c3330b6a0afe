package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"nudge/internal/segment"
)

// rfmData is the RFM page's data.
type rfmData struct {
	Computed bool
	AsOf     string
	Window   int
	Scored   int64
	NoOrders int64
	Headline string
	Groups   []rfmGroupRow
	// Heat is the recency x frequency table: rows R = 5 (recent) down to
	// 1, columns F = 1 to 5, each cell the number of customers.
	Heat []heatRow
	// Chart is the data rfm.js draws, as JSON in a data- attribute: the
	// console's CSP allows no inline script.
	Chart string
}

type heatRow struct {
	R     int
	Cells [5]int64
}

type rfmGroupRow struct {
	Name          string
	Customers     int64
	CustomerShare string
	Revenue       string
	RevenueShare  string
}

// rfmShow serves GET /rfm: the eight groups of the latest RFM run with a
// chart of their size and revenue, and the recency x frequency heat map.
func (c *Console) rfmShow(w http.ResponseWriter, r *http.Request) {
	if c.segments == nil {
		c.notFound(w, r)
		return
	}
	ctx := r.Context()
	locale := normalLocale(sessionFrom(ctx).User.Locale)
	rep, err := c.segments.RFM(ctx)
	if errors.Is(err, segment.ErrNoRFM) {
		c.render(w, r, http.StatusOK, "rfm", rfmData{})
		return
	}
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	cells, err := c.segments.HeatMap(ctx)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d := rfmData{Computed: true, AsOf: rep.AsOf, Window: rep.WindowDays, Scored: rep.Scored, NoOrders: rep.NoOrders}
	type chartGroup struct {
		Name      string  `json:"name"`
		Customers int64   `json:"customers"`
		Revenue   float64 `json:"revenue"` // yuan
	}
	chart := struct {
		Groups   []chartGroup `json:"groups"`
		Heat     [][3]int64   `json:"heat"` // [f-1, r-1, customers]
		Labels   [4]string    `json:"labels"`
		MaxCount int64        `json:"max"`
	}{Labels: [4]string{c.cat.text(locale, "rfm.col.customers"), c.cat.text(locale, "rfm.col.revenue"),
		c.cat.text(locale, "rfm.heat.f"), c.cat.text(locale, "rfm.heat.r")}}
	var best *segment.GroupStat
	for i, g := range rep.Groups {
		name := g.Name
		if locale == "en" {
			name = g.NameEN
		}
		d.Groups = append(d.Groups, rfmGroupRow{Name: name, Customers: g.Customers, CustomerShare: pct(g.CustomerShare),
			Revenue: money(g.Revenue, "CNY"), RevenueShare: pct(g.RevenueShare)})
		chart.Groups = append(chart.Groups, chartGroup{Name: name, Customers: g.Customers, Revenue: float64(g.Revenue) / 100})
		if g.Key == "important_value" && g.Customers > 0 {
			best = &rep.Groups[i]
		}
	}
	if best != nil {
		name := best.Name
		if locale == "en" {
			name = best.NameEN
		}
		d.Headline = c.cat.text(locale, "rfm.headline", name, pct(best.CustomerShare), pct(best.RevenueShare))
	}
	d.Heat = make([]heatRow, 5)
	for i := range d.Heat {
		d.Heat[i].R = 5 - i
	}
	for _, cell := range cells {
		if cell.R >= 1 && cell.R <= 5 && cell.F >= 1 && cell.F <= 5 {
			d.Heat[5-cell.R].Cells[cell.F-1] = cell.Customers
			chart.Heat = append(chart.Heat, [3]int64{int64(cell.F - 1), int64(cell.R - 1), cell.Customers})
			chart.MaxCount = max(chart.MaxCount, cell.Customers)
		}
	}
	b, err := json.Marshal(chart)
	if err != nil {
		c.serverError(w, r, err)
		return
	}
	d.Chart = string(b)
	c.render(w, r, http.StatusOK, "rfm", d)
}

// rfmRefresh serves POST /rfm: recompute as of today and show the page.
func (c *Console) rfmRefresh(w http.ResponseWriter, r *http.Request) {
	if c.segments == nil {
		c.notFound(w, r)
		return
	}
	if _, err := c.segments.RefreshRFM(r.Context(), segment.RFMOptions{}); err != nil {
		c.serverError(w, r, err)
		return
	}
	c.log.Info("rfm recomputed", "user", sessionFrom(r.Context()).User.Name)
	http.Redirect(w, r, "/rfm", http.StatusSeeOther)
}

// pct writes a share as a whole percentage, "<1%" for a small non-zero one.
func pct(x float64) string {
	if x > 0 && x < 0.01 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", 100*x)
}
