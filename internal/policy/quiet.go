package policy

import "time"

// nextAllowed returns the first instant at or after now when the recipient
// may get a message of a quiet-hours kind: now itself when it is allowed,
// else the start of the next allowed minute. ok is false when the windows
// never overlap (a configuration that allows no minute at all).
//
// The window is the country's (or the default), narrowed by the gateway's.
// With the recipient's own zone known, it holds in that zone. Without it,
// the instant must be allowed in every zone of the country at once: for
// the United States, 08:00-21:00 in New York and in Honolulu and in every
// zone between. Rather than precomputing that intersection (which moves
// twice a year, since Arizona and Hawaii keep no daylight saving time), the
// search moves a candidate instant forward to the next window start of
// whichever zone refuses it, until every zone accepts it; each step lands
// on a local wall-clock start built with time.Date, so daylight-saving
// changes are taken into account by the zone database, not by adding hours.
func (rules *Rules) nextAllowed(r *Recipient, now time.Time, gateway *Window) (time.Time, bool) {
	q := rules.quietFor(r.Country)
	w := q.window
	if gateway != nil {
		var ok bool
		if w, ok = w.Intersect(*gateway); !ok {
			return now, false
		}
	}
	zones := q.zones
	var own [1]*time.Location
	if r.Location != nil {
		own[0] = r.Location
		zones = own[:]
	}
	t := now
	// Each pass either accepts t or moves it to a later window start;
	// with overlapping windows two or three passes settle it, so a bound
	// of a few dozen only matters for windows that never meet.
	for pass := 0; pass < 32; pass++ {
		moved := false
		for _, z := range zones {
			if n := nextInZone(t, w, z); n.After(t) {
				t, moved = n, true
			}
		}
		if !moved {
			return t.UTC(), true
		}
	}
	return now, false
}

// nextInZone returns t when its local minute in z falls in w, else the next
// local start of w after t.
func nextInZone(t time.Time, w Window, z *time.Location) time.Time {
	l := t.In(z)
	h, m, _ := l.Clock()
	mod := h*60 + m
	if w.Contains(mod) {
		return t
	}
	y, mo, d := l.Date()
	if mod >= w.End {
		d++ // time.Date normalises the 32nd of a month
	}
	return time.Date(y, mo, d, w.Start/60, w.Start%60, 0, 0, z)
}

// QuietWindow returns the allowed window and zones quiet hours are checked
// in for a recipient, for explanations.
func (rules *Rules) QuietWindow(r *Recipient, gateway *Window) (Window, []*time.Location) {
	q := rules.quietFor(r.Country)
	w := q.window
	if gateway != nil {
		w, _ = w.Intersect(*gateway)
	}
	if r.Location != nil {
		return w, []*time.Location{r.Location}
	}
	return w, q.zones
}
