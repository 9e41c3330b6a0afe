package api

import (
	"encoding/json"
	"time"

	"nudge/internal/customer"
	"nudge/internal/pii"
)

// customerSummary is a customer in a list: phone and name masked only, and
// none of birthday, coordinates or attributes. A list is what gets pasted
// into spreadsheets and tickets, so it carries as little as it can.
type customerSummary struct {
	ID           int64     `json:"id"`
	ExternalID   string    `json:"external_id"`
	PhoneMasked  string    `json:"phone_masked"`
	NameMasked   string    `json:"name_masked"`
	Region       string    `json:"region"`
	Carrier      string    `json:"carrier"`
	Gender       string    `json:"gender"`
	City         string    `json:"city"`
	Tags         []string  `json:"tags"`
	Consent      string    `json:"consent"`
	RegisteredAt time.Time `json:"registered_at,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

func summary(c customer.Customer) customerSummary {
	tags := c.Tags
	if tags == nil {
		tags = []string{}
	}
	return customerSummary{
		ID: c.ID, ExternalID: c.ExternalID, PhoneMasked: pii.MaskPhone(c.Phone), NameMasked: pii.MaskName(c.Name),
		Region: c.Region, Carrier: c.Carrier, Gender: c.Gender, City: c.City, Tags: tags, Consent: c.Consent,
		RegisteredAt: c.RegisteredAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// customerFull is one customer as GET /api/v1/customers/{external_id}
// returns it: everything, phone and name in the clear. An integration
// holding a token is trusted with them (it is usually the system the data
// came from), and asking for one customer by id is a deliberate act; the
// server logs the read with the masked phone only.
type customerFull struct {
	customerSummary
	Phone         string          `json:"phone"`
	Name          string          `json:"name"`
	Birthday      string          `json:"birthday"`
	Lat           *float64        `json:"lat"`
	Lon           *float64        `json:"lon"`
	Timezone      string          `json:"timezone"`
	Attributes    json.RawMessage `json:"attributes"`
	ConsentAt     time.Time       `json:"consent_at,omitzero"`
	ConsentSource string          `json:"consent_source"`
}

func full(c customer.Customer) customerFull {
	attrs := c.Attributes
	if len(attrs) == 0 {
		attrs = json.RawMessage("{}")
	}
	return customerFull{
		customerSummary: summary(c), Phone: c.Phone, Name: c.Name, Birthday: c.Birthday, Lat: c.Lat, Lon: c.Lon,
		Timezone: c.Timezone, Attributes: attrs, ConsentAt: c.ConsentAt, ConsentSource: c.ConsentSource,
	}
}

// orderOut is an order as the API returns it; amounts in fen.
type orderOut struct {
	OrderID   string    `json:"order_id"`
	OrderedAt time.Time `json:"ordered_at"`
	Status    string    `json:"status"`
	Currency  string    `json:"currency"`
	Amount    int64     `json:"amount"`
	Items     int64     `json:"items"`
	Lines     []lineOut `json:"lines"`
}

type lineOut struct {
	SKU      string `json:"sku"`
	Category string `json:"category"`
	Quantity int64  `json:"quantity"`
	Amount   int64  `json:"amount"`
}

func orderView(o customer.Order) orderOut {
	out := orderOut{OrderID: o.OrderID, OrderedAt: o.OrderedAt, Status: o.Status, Currency: o.Currency,
		Amount: o.Amount, Items: o.Items, Lines: make([]lineOut, 0, len(o.Lines))}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, lineOut{SKU: l.SKU, Category: l.Category, Quantity: l.Quantity, Amount: l.Amount})
	}
	return out
}

// productOut is a product as the API returns it; price in fen.
type productOut struct {
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Category    string    `json:"category"`
	Price       int64     `json:"price"`
	Stock       int64     `json:"stock"`
	SafetyStock int64     `json:"safety_stock"`
	UpdatedAt   time.Time `json:"updated_at"`
}
