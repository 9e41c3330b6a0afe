package policy

import (
	"context"
	"fmt"
	"time"
)

// Preference is a customer's answer for one category.
type Preference struct {
	Category  Category  `json:"category"`
	Refused   bool      `json:"refused"`
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SetPreference records whether a customer refuses a category ("no more
// promotions") or accepts it again. Refusing one category leaves the others
// alone: a customer who refuses promotions still gets order updates.
// Staff categories ignore preferences.
func (p *Policy) SetPreference(ctx context.Context, customerID int64, cat Category, refused bool, source string) error {
	if _, ok := p.rules.Load().Kind(cat); !ok {
		return fmt.Errorf("policy: unknown category %q", cat)
	}
	flag := 0
	if refused {
		flag = 1
	}
	_, err := p.db.W.ExecContext(ctx, p.q.Get("preference_set"), customerID, string(cat), flag, source, p.now().Unix())
	if err != nil {
		return fmt.Errorf("policy: preference: %w", err)
	}
	return nil
}

// Preferences returns a customer's recorded answers, by category name.
func (p *Policy) Preferences(ctx context.Context, customerID int64) ([]Preference, error) {
	rows, err := p.db.R.QueryContext(ctx, p.q.Get("preferences_of"), customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Preference
	for rows.Next() {
		var pr Preference
		var refused int
		var at int64
		if err := rows.Scan(&pr.Category, &refused, &pr.Source, &at); err != nil {
			return nil, err
		}
		pr.Refused = refused == 1
		pr.UpdatedAt = time.Unix(at, 0).UTC()
		out = append(out, pr)
	}
	return out, rows.Err()
}
