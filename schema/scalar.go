package schema

import (
	"fmt"

	"github.com/chipgraph/chipgraph/graph"
)

// Date is the GraphQL Date scalar: a graph.Date written as "2025",
// "2025-Q4", "2025-12" or "2025-12-02".
type Date struct{ graph.Date }

// ImplementsGraphQLType maps Date to the SDL's Date scalar.
func (Date) ImplementsGraphQLType(name string) bool { return name == "Date" }

// UnmarshalGraphQL parses a Date argument.
func (d *Date) UnmarshalGraphQL(input any) error {
	s, ok := input.(string)
	if !ok {
		return fmt.Errorf("Date must be a string such as \"2025-12\", got %T", input)
	}
	x, err := graph.ParseDate("date", s)
	if err != nil {
		return fmt.Errorf("%s", graph.ErrorMessage(err))
	}
	d.Date = x
	return nil
}

// MarshalJSON writes the date as a string.
func (d Date) MarshalJSON() ([]byte, error) {
	// A date's string holds digits, '-' and 'Q' only: quoting it is what
	// json.Marshal of the string writes.
	s := d.Date.String()
	b := make([]byte, 0, len(s)+2)
	return append(append(append(b, '"'), s...), '"'), nil
}

// dateOrNil returns nil for the zero date.
func dateOrNil(d graph.Date) *Date {
	if d.IsZero() {
		return nil
	}
	return &Date{d}
}
