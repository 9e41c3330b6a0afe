package api

import (
	"fmt"
	"net/http"
	"strconv"
)

// Page sizes of the list endpoints.
const (
	defaultLimit = 50
	maxLimit     = 1000
)

// limitParam reads ?limit=, 1..max, default def.
func limitParam(r *http.Request, def, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, badParameter("limit", fmt.Sprintf("limit must be an integer from 1 to %d", max))
	}
	return n, nil
}
