package api

import (
	"fmt"
	"net/http"

	"nudge/internal/compose"
)

// MaxCodes is the most coupon codes one import request carries; larger
// files go through `nudge coupon import`, which streams.
const MaxCodes = 100000

// generateIn asks for random codes: count codes of prefix + length random
// characters (default 8).
type generateIn struct {
	Count  int    `json:"count"`
	Prefix string `json:"prefix"`
	Length int    `json:"length"`
}

// poolIn is the body of POST /api/v1/coupons/pools.
type poolIn struct {
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Generate    *generateIn `json:"generate"`
}

// codesIn is the body of POST /api/v1/coupons/pools/{name}/codes: codes to
// import, or codes to generate, or both.
type codesIn struct {
	Codes    []string    `json:"codes"`
	Generate *generateIn `json:"generate"`
}

// codesOut answers an import: what it did, and the pool afterwards.
type codesOut struct {
	compose.ImportResult
	Pool compose.Pool `json:"pool"`
}

// poolsOut answers GET /api/v1/coupons/pools.
type poolsOut struct {
	Pools []compose.Pool `json:"pools"`
}

// couponPoolsList handles GET /api/v1/coupons/pools: every pool with its
// total, drawn and remaining codes.
func (a *API) couponPoolsList(w http.ResponseWriter, r *http.Request) {
	if !a.composeReady(w) {
		return
	}
	ps, err := a.compose.Pools(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if ps == nil {
		ps = []compose.Pool{}
	}
	writeJSON(w, http.StatusOK, poolsOut{Pools: ps})
}

// couponPoolShow handles GET /api/v1/coupons/pools/{name}.
func (a *API) couponPoolShow(w http.ResponseWriter, r *http.Request) {
	if !a.composeReady(w) {
		return
	}
	p, err := a.compose.PoolStatus(r.Context(), r.PathValue("name"))
	if err != nil {
		a.composeFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// couponPoolCreate handles POST /api/v1/coupons/pools: 201 with the new
// pool, or 200 with the existing one of that name (its description
// unchanged); with generate, random codes are added to it.
func (a *API) couponPoolCreate(w http.ResponseWriter, r *http.Request) {
	if !a.composeReady(w) {
		return
	}
	var in poolIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	ctx := r.Context()
	p, created, err := a.compose.CreatePool(ctx, in.Name, in.Description)
	if err != nil {
		a.composeFail(w, r, err)
		return
	}
	if in.Generate != nil {
		if _, err := a.compose.Generate(ctx, p.Name, in.Generate.Count, in.Generate.Prefix, in.Generate.Length); err != nil {
			a.composeFail(w, r, prefixField("generate.", err))
			return
		}
		if p, err = a.compose.PoolStatus(ctx, p.Name); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, p)
}

// couponCodesAdd handles POST /api/v1/coupons/pools/{name}/codes: import
// the listed codes (skipping those already in any pool) and/or generate
// random ones.
func (a *API) couponCodesAdd(w http.ResponseWriter, r *http.Request) {
	if !a.composeReady(w) {
		return
	}
	var in codesIn
	if err := decodeStrict(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	if len(in.Codes) > MaxCodes {
		a.fail(w, r, &statusError{status: http.StatusRequestEntityTooLarge, apiError: apiError{Code: codeTooLarge, Field: "codes",
			Message: fmt.Sprintf("%d codes in one request; at most %d (nudge coupon import streams a file of any size)", len(in.Codes), MaxCodes)}})
		return
	}
	if len(in.Codes) == 0 && in.Generate == nil {
		a.fail(w, r, invalid("codes", "give codes to import or generate: {count, prefix, length}"))
		return
	}
	ctx := r.Context()
	name := r.PathValue("name")
	var out codesOut
	if len(in.Codes) > 0 {
		res, err := a.compose.ImportCodes(ctx, name, in.Codes)
		if err != nil {
			a.composeFail(w, r, err)
			return
		}
		out.ImportResult = res
	}
	if in.Generate != nil {
		res, err := a.compose.Generate(ctx, name, in.Generate.Count, in.Generate.Prefix, in.Generate.Length)
		if err != nil {
			a.composeFail(w, r, prefixField("generate.", err))
			return
		}
		out.Added += res.Added
	}
	p, err := a.compose.PoolStatus(ctx, name)
	if err != nil {
		a.composeFail(w, r, err)
		return
	}
	out.Pool = p
	writeJSON(w, http.StatusOK, out)
}

// prefixField names a generate option as the client wrote it
// ("generate.count").
func prefixField(prefix string, err error) error {
	if fe, ok := err.(*compose.FieldError); ok {
		return &compose.FieldError{Field: prefix + fe.Field, Reason: fe.Reason}
	}
	return err
}
