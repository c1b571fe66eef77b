package graph

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Precision is how much of a Date is known.
type Precision uint8

// Precisions, coarsest first. Stored as numbers: do not reorder.
const (
	PrecisionNone Precision = iota
	Year
	Quarter
	Month
	Day
)

func (p Precision) String() string {
	switch p {
	case Year:
		return "year"
	case Quarter:
		return "quarter"
	case Month:
		return "month"
	case Day:
		return "day"
	}
	return ""
}

// ParsePrecision is the inverse of Precision.String.
func ParsePrecision(s string) (Precision, bool) {
	switch strings.ToLower(s) {
	case "year":
		return Year, true
	case "quarter":
		return Quarter, true
	case "month":
		return Month, true
	case "day":
		return Day, true
	}
	return PrecisionNone, false
}

// Date is a calendar date known to a precision: 2025, 2025-Q4, 2025-12 or
// 2025-12-02. The zero Date is "no date".
type Date struct {
	Year      int
	Month     int // 1-12; for Quarter precision the quarter's first month
	Day       int // 1-31 with Day precision
	Precision Precision
}

// IsZero reports whether d is the empty date.
func (d Date) IsZero() bool { return d.Precision == PrecisionNone }

// ParseDate parses YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD. A full RFC 3339
// timestamp is accepted and truncated to its day. field names the input in
// the error.
func ParseDate(field, s string) (Date, error) {
	bad := func() (Date, error) {
		return Date{}, Invalid(field, RBadDate, "malformed date %q (want YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)", s)
	}
	s = strings.TrimSpace(s)
	if len(s) > 10 && (s[10] == 'T' || s[10] == ' ') {
		if _, err := time.Parse(time.RFC3339, strings.Replace(s, " ", "T", 1)); err != nil {
			if _, err2 := time.Parse("2006-01-02 15:04:05Z07:00", s); err2 != nil {
				return bad()
			}
		}
		s = s[:10]
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '-' && r != 'Q' && r != 'q' {
			return bad()
		}
	}
	parts := strings.Split(s, "-")
	if len(parts[0]) != 4 {
		return bad()
	}
	y, err := strconv.Atoi(parts[0])
	if err != nil || y < 1 {
		return bad()
	}
	d := Date{Year: y, Month: 1, Day: 1, Precision: Year}
	switch len(parts) {
	case 1:
		return d, nil
	case 2:
		if len(parts[1]) == 2 && (parts[1][0] == 'Q' || parts[1][0] == 'q') {
			q := int(parts[1][1] - '0')
			if q < 1 || q > 4 {
				return bad()
			}
			d.Month, d.Precision = (q-1)*3+1, Quarter
			return d, nil
		}
		m, err := strconv.Atoi(parts[1])
		if err != nil || len(parts[1]) != 2 || m < 1 || m > 12 {
			return bad()
		}
		d.Month, d.Precision = m, Month
		return d, nil
	case 3:
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return bad()
		}
		return Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Precision: Day}, nil
	}
	return bad()
}

// MustDate parses s and panics on error; for tests and literals.
func MustDate(s string) Date {
	d, err := ParseDate("date", s)
	if err != nil {
		panic(err)
	}
	return d
}

// String formats d in the form ParseDate reads.
func (d Date) String() string { return string(d.appendString(nil)) }

// appendString appends d.String() to b.
func (d Date) appendString(b []byte) []byte {
	switch d.Precision {
	case Year:
		return fmt.Appendf(b, "%04d", d.Year)
	case Quarter:
		return fmt.Appendf(b, "%04d-Q%d", d.Year, (d.Month-1)/3+1)
	case Month:
		return fmt.Appendf(b, "%04d-%02d", d.Year, d.Month)
	case Day:
		return fmt.Appendf(b, "%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	return b
}

// Start is the first instant of d (UTC).
func (d Date) Start() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.Year, time.Month(d.Month), max(d.Day, 1), 0, 0, 0, 0, time.UTC)
}

// End is the first instant after d: 2025-12 ends at 2026-01-01.
func (d Date) End() time.Time {
	s := d.Start()
	switch d.Precision {
	case Year:
		return s.AddDate(1, 0, 0)
	case Quarter:
		return s.AddDate(0, 3, 0)
	case Month:
		return s.AddDate(0, 1, 0)
	case Day:
		return s.AddDate(0, 0, 1)
	}
	return s
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	x, err := ParseDate("date", string(b))
	if err != nil {
		return err
	}
	*d = x
	return nil
}
