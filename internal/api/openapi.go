package api

import (
	_ "embed"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.1 description of every route in routes();
// openapi_test.go fails when the two differ.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPI handles GET /api/openapi.json. It is public: the document
// describes the API, not anyone's data.
func (a *API) openAPI(w http.ResponseWriter, r *http.Request) {
	setHeaders(w)
	w.Write(openAPIDoc)
}
