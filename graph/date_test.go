package graph_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
)

type dateTest struct {
	in   string     // input to ParseDate
	want graph.Date // parsed date
	str  string     // Date.String of the result
}

var goodDateTests = []dateTest{
	// Year precision.
	{"2025", graph.Date{Year: 2025, Month: 1, Day: 1, Precision: graph.Year}, "2025"},
	{"0001", graph.Date{Year: 1, Month: 1, Day: 1, Precision: graph.Year}, "0001"},
	// Quarters start at their first month; a lowercase q is accepted.
	{"2025-Q1", graph.Date{Year: 2025, Month: 1, Day: 1, Precision: graph.Quarter}, "2025-Q1"},
	{"2025-Q4", graph.Date{Year: 2025, Month: 10, Day: 1, Precision: graph.Quarter}, "2025-Q4"},
	{"2025-q2", graph.Date{Year: 2025, Month: 4, Day: 1, Precision: graph.Quarter}, "2025-Q2"},
	// Month precision.
	{"2025-12", graph.Date{Year: 2025, Month: 12, Day: 1, Precision: graph.Month}, "2025-12"},
	{"2025-01", graph.Date{Year: 2025, Month: 1, Day: 1, Precision: graph.Month}, "2025-01"},
	// Day precision, including a leap day.
	{"2025-12-02", graph.Date{Year: 2025, Month: 12, Day: 2, Precision: graph.Day}, "2025-12-02"},
	{"2024-02-29", graph.Date{Year: 2024, Month: 2, Day: 29, Precision: graph.Day}, "2024-02-29"},
	// Surrounding space is trimmed.
	{"  2025-03 ", graph.Date{Year: 2025, Month: 3, Day: 1, Precision: graph.Month}, "2025-03"},
	// RFC 3339 timestamps are truncated to their (local) day.
	{"2025-12-02T10:30:00Z", graph.Date{Year: 2025, Month: 12, Day: 2, Precision: graph.Day}, "2025-12-02"},
	{"2025-12-02T23:30:00-05:00", graph.Date{Year: 2025, Month: 12, Day: 2, Precision: graph.Day}, "2025-12-02"},
	{"2025-12-02T10:30:00.123+01:00", graph.Date{Year: 2025, Month: 12, Day: 2, Precision: graph.Day}, "2025-12-02"},
	// A space instead of the T.
	{"2025-12-02 10:30:00Z", graph.Date{Year: 2025, Month: 12, Day: 2, Precision: graph.Day}, "2025-12-02"},
}

func TestParseDate(t *testing.T) {
	for _, tt := range goodDateTests {
		got, err := graph.ParseDate("date", tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q) error: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if s := got.String(); s != tt.str {
			t.Errorf("ParseDate(%q).String() = %q, want %q", tt.in, s, tt.str)
		}
		// String's output parses back to the same date.
		again, err := graph.ParseDate("date", got.String())
		if err != nil || again != got {
			t.Errorf("ParseDate(%q) = %+v, %v, want %+v", got.String(), again, err, got)
		}
	}
}

var badDates = []string{
	"2025-13",              // month out of range
	"2025-00",              // month zero
	"2025-02-30",           // no such day
	"2025-02-29",           // not a leap year
	"25",                   // two-digit year
	"20250",                // five-digit year
	"0000",                 // year zero
	"2025-Q5",              // no fifth quarter
	"2025-Q0",              // no quarter zero
	"2025-Qx",              // not a digit
	"2025-Q12",             // too long
	"",                     // empty
	"   ",                  // blank
	"2025/01/01",           // slashes
	"2025-1",               // one-digit month
	"2025-01-1",            // one-digit day
	"2025-01-01-01",        // too many parts
	"abcd",                 // not a number
	"2025-12-02T25:00:00Z", // bad time in a timestamp
	"2025-12-02Tnoon",      // not a timestamp
	"December 2025",        // words
}

func TestParseDateBad(t *testing.T) {
	for _, in := range badDates {
		d, err := graph.ParseDate("published", in)
		var ge *graph.Error
		if !errors.As(err, &ge) {
			t.Errorf("ParseDate(%q) = %+v, %v, want *graph.Error", in, d, err)
			continue
		}
		if ge.Code != graph.EINVALID || ge.Reason != graph.RBadDate || ge.Field != "published" {
			t.Errorf("ParseDate(%q) error = {%s %s %s}, want {%s %s published}", in, ge.Code, ge.Reason, ge.Field, graph.EINVALID, graph.RBadDate)
		}
		if !d.IsZero() {
			t.Errorf("ParseDate(%q) = %+v with an error, want the zero Date", in, d)
		}
	}
}

func utc(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

var dateRangeTests = []struct {
	in         string
	start, end time.Time
}{
	{"2025", utc(2025, 1, 1), utc(2026, 1, 1)},
	{"2025-Q1", utc(2025, 1, 1), utc(2025, 4, 1)},
	{"2025-Q4", utc(2025, 10, 1), utc(2026, 1, 1)}, // crosses the year
	{"2025-02", utc(2025, 2, 1), utc(2025, 3, 1)},
	{"2025-12", utc(2025, 12, 1), utc(2026, 1, 1)},
	{"2024-02-29", utc(2024, 2, 29), utc(2024, 3, 1)},
	{"2025-12-31", utc(2025, 12, 31), utc(2026, 1, 1)},
}

func TestDateStartEnd(t *testing.T) {
	for _, tt := range dateRangeTests {
		d := graph.MustDate(tt.in)
		if got := d.Start(); !got.Equal(tt.start) {
			t.Errorf("MustDate(%q).Start() = %v, want %v", tt.in, got, tt.start)
		}
		if got := d.End(); !got.Equal(tt.end) {
			t.Errorf("MustDate(%q).End() = %v, want %v", tt.in, got, tt.end)
		}
	}
	var zero graph.Date
	if !zero.IsZero() || !zero.Start().IsZero() || !zero.End().IsZero() || zero.String() != "" {
		t.Errorf("zero Date: IsZero %v, Start %v, End %v, String %q; want true, zero, zero, \"\"", zero.IsZero(), zero.Start(), zero.End(), zero.String())
	}
}

func TestPrecisionString(t *testing.T) {
	for _, p := range []graph.Precision{graph.Year, graph.Quarter, graph.Month, graph.Day} {
		got, ok := graph.ParsePrecision(p.String())
		if !ok || got != p {
			t.Errorf("ParsePrecision(%q) = %v, %v, want %v, true", p.String(), got, ok, p)
		}
	}
	if p, ok := graph.ParsePrecision("week"); ok {
		t.Errorf("ParsePrecision(%q) = %v, true, want false", "week", p)
	}
}

func TestDateText(t *testing.T) {
	d := graph.MustDate("2025-Q3")
	b, err := d.MarshalText()
	if err != nil || string(b) != "2025-Q3" {
		t.Errorf("MarshalText() = %q, %v, want %q", b, err, "2025-Q3")
	}
	var got graph.Date
	if err := got.UnmarshalText(b); err != nil || got != d {
		t.Errorf("UnmarshalText(%q) = %+v, %v, want %+v", b, got, err, d)
	}
	// Empty text is the zero date.
	if err := got.UnmarshalText(nil); err != nil || !got.IsZero() {
		t.Errorf("UnmarshalText(\"\") = %+v, %v, want zero Date", got, err)
	}
	if err := got.UnmarshalText([]byte("2025-13")); graph.ErrorCode(err) != graph.EINVALID {
		t.Errorf("UnmarshalText(%q) error = %v, want %s", "2025-13", err, graph.EINVALID)
	}
}

func TestRecordedNanos(t *testing.T) {
	for _, tt := range []struct {
		t    time.Time
		want uint64
	}{
		{time.Unix(0, 0), 0},
		{time.Unix(1, 5), 1_000_000_005},
		{time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), 0},
		{time.Date(1200, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{time.Unix(0, math.MaxInt64), math.MaxInt64},
		{time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
		{time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), math.MaxInt64},
	} {
		if got := graph.RecordedNanos(tt.t); got != tt.want {
			t.Errorf("RecordedNanos(%s) got %d, want %d", tt.t, got, tt.want)
		}
	}
}
