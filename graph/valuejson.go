package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// valueJSON is the wire form of a Value: exactly one of entity, text,
// amount (with unit for a quantity or currency for money), date, boolean.
//
//	{"entity":"tsmc"}
//	{"text":"GPU"}
//	{"amount":700,"unit":"W"}
//	{"amount":5e10,"currency":"USD","approximate":true}
//	{"date":"2025-12"}
//	{"boolean":true}
type valueJSON struct {
	Entity      *string  `json:"entity,omitempty"`
	Text        *string  `json:"text,omitempty"`
	Amount      *float64 `json:"amount,omitempty"`
	Unit        string   `json:"unit,omitempty"`
	Currency    string   `json:"currency,omitempty"`
	Lower       *float64 `json:"lower,omitempty"`
	Upper       *float64 `json:"upper,omitempty"`
	Approximate bool     `json:"approximate,omitempty"`
	Date        *string  `json:"date,omitempty"`
	Boolean     *bool    `json:"boolean,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) {
	w := valueJSON{Lower: v.Lower, Upper: v.Upper, Approximate: v.Approximate}
	switch v.Type {
	case EntityValue:
		w.Entity = &v.Entity
	case TextValue:
		w.Text = &v.Text
	case QuantityValue:
		w.Amount, w.Unit = &v.Amount, v.Unit
	case MoneyValue:
		w.Amount, w.Currency = &v.Amount, v.Currency
	case DateValue:
		s := v.Date.String()
		w.Date = &s
	case BoolValue:
		w.Boolean = &v.Bool
	default:
		return []byte("null"), nil
	}
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler. Errors name the offending
// field relative to the value ("object.date").
func (v *Value) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*v = Value{}
		return nil
	}
	var w valueJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return Invalid("object", RBadValue, "malformed value: %v", cleanJSONError(err))
	}
	x, err := w.value()
	if err != nil {
		return err
	}
	*v = x
	return nil
}

// value checks the wire form of a value and returns the Value it gives.
func (w *valueJSON) value() (Value, error) {
	n := 0
	for _, set := range []bool{w.Entity != nil, w.Text != nil, w.Amount != nil, w.Date != nil, w.Boolean != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return Value{}, Invalid("object", RBadValue, "a value needs exactly one of entity, text, amount, date, boolean")
	}
	v := Value{Lower: w.Lower, Upper: w.Upper, Approximate: w.Approximate}
	switch {
	case w.Entity != nil:
		v.Type, v.Entity = EntityValue, *w.Entity
	case w.Text != nil:
		v.Type, v.Text = TextValue, *w.Text
	case w.Amount != nil:
		v.Amount = *w.Amount
		switch {
		case w.Unit != "" && w.Currency != "":
			return Value{}, Invalid("object.unit", RBadValue, "an amount has a unit or a currency, not both")
		case w.Currency != "":
			v.Type, v.Currency = MoneyValue, w.Currency
		case w.Unit != "":
			v.Type, v.Unit = QuantityValue, w.Unit
		default:
			return Value{}, Invalid("object.unit", RMissing, "an amount needs a unit (quantity) or a currency (money)")
		}
	case w.Date != nil:
		d, err := ParseDate("object.date", *w.Date)
		if err != nil {
			return Value{}, err
		}
		v.Type, v.Date = DateValue, d
	case w.Boolean != nil:
		v.Type, v.Bool = BoolValue, *w.Boolean
	}
	if (w.Unit != "" && v.Type != QuantityValue) || (w.Currency != "" && v.Type != MoneyValue) {
		return Value{}, Invalid("object", RBadValue, "unit or currency given without an amount")
	}
	return v, nil
}

// cleanJSONError strips the package prefix from encoding/json errors.
func cleanJSONError(err error) string {
	s := err.Error()
	return fmt.Sprintf("%s", bytes.TrimPrefix([]byte(s), []byte("json: ")))
}
