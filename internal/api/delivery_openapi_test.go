package api

import (
	"reflect"
	"strings"
	"testing"

	"nudge/internal/outbox"
)

// TestDeliverySchemasMatchTypes keeps the message and gateway schemas of
// openapi.json equal to the JSON fields of the Go types behind them.
func TestDeliverySchemasMatchTypes(t *testing.T) {
	raw, _ := loadDoc(t)
	schemas := raw["components"].(map[string]any)["schemas"].(map[string]any)
	for schema, v := range map[string]any{
		"MessageSendInput":  messageSendIn{},
		"RecipientInput":    recipientIn{},
		"MessageSendResult": messageSendOut{},
		"SendProblem":       sendProblem{},
		"MessageSource":     outbox.Source{},
		"Message":           outbox.View{},
		"MessagePart":       outbox.PartView{},
		"MessageEvent":      outbox.Event{},
		"GatewayInput":      gatewayIn{},
		"GatewayLine":       outbox.LineStatus{},
		"Gateway":           gatewayOut{},
	} {
		got, want := schemaFields(schemas, schema), jsonFields(reflect.TypeOf(v))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("schema %s has %v; the Go type has %v", schema, got, want)
		}
	}
}
