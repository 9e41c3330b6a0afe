package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"nudge/internal/store"
)

type tokenKey struct{}

// tokenName returns the name of the API token the request came with.
func tokenName(ctx context.Context) string {
	s, _ := ctx.Value(tokenKey{}).(string)
	return s
}

// requireToken lets through requests with a valid "Authorization: Bearer
// nudge_..." header and answers 401 to the others. The response says
// nothing about whether a token ever existed.
func (a *API) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !strings.EqualFold(scheme, "Bearer") || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="nudge"`)
			writeError(w, http.StatusUnauthorized, apiError{Code: codeUnauthorized,
				Message: "missing bearer token: send the header Authorization: Bearer TOKEN, with a token from nudge token create --name NAME"})
			return
		}
		name, err := a.auth.CheckToken(r.Context(), token)
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="nudge", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, apiError{Code: codeUnauthorized, Message: "invalid or revoked bearer token"})
			return
		}
		if err != nil {
			a.log.Error("token check failed", "err", err)
			writeError(w, http.StatusServiceUnavailable, apiError{Code: codeUnavailable, Message: "cannot check the token now; try again"})
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, name)))
	})
}
