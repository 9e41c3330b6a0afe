package api

import (
	"nudge/internal/customer"
)

// money reads an amount given either as integer fen (field) or as a yuan
// string such as "129.90" (field + "_yuan"). Giving both is allowed only
// when they agree, so that a client converting wrongly is caught.
func money(field string, fen *int64, yuan string, required bool) (int64, error) {
	var fromYuan int64
	if yuan != "" {
		v, err := customer.ParseMoney(yuan)
		if err != nil {
			return 0, &customer.FieldError{Field: field + "_yuan", Reason: err.Error()}
		}
		fromYuan = v
	}
	switch {
	case fen != nil && yuan != "" && *fen != fromYuan:
		return 0, &customer.FieldError{Field: field, Reason: field + " (fen) and " + field + "_yuan disagree: " +
			customer.FormatMoney(*fen) + " vs " + customer.FormatMoney(fromYuan)}
	case fen != nil:
		return *fen, nil
	case yuan != "":
		return fromYuan, nil
	case required:
		return 0, &customer.FieldError{Field: field, Reason: "missing (integer fen, or " + field + "_yuan as \"129.90\")"}
	}
	return 0, nil
}
