package graph

import (
	"math"
	"strings"
)

// Limits of exploration reads. They bound the work one request can ask of
// the store whatever page sizes the API allows.
const (
	MaxNeighborhoodDepth = 3 // deepest neighborhood
	MaxPathHops          = 4 // longest path searched
	MaxPaths             = 100
	MaxGroups            = 1000 // most groups an aggregation returns
	// MaxPathVisits bounds the entities a path search may visit before it
	// gives up with QUERY_TOO_COMPLEX.
	MaxPathVisits = 200_000
	// NeighborhoodEdgesPerNode bounds a neighborhood's edges to this many
	// times its node limit.
	NeighborhoodEdgesPerNode = 10
)

// EntityFilter selects entities. Every condition that is set must hold;
// the empty filter selects every entity. Filters nest through Related.Where
// and combine through And, Or and Not.
type EntityFilter struct {
	Kind    Kind            // "" for every kind
	Keys    []string        // any of these keys
	Related *RelationFilter // a relation to some entity
	Value   *ValueFilter    // a literal in a range
	And     []*EntityFilter // all of these
	Or      []*EntityFilter // at least one of these
	Not     *EntityFilter   // not this
}

// RelationFilter holds when the entity has a current statement of
// Predicate linking it to an entity that is one of To and matches Where.
// With neither set, any such statement will do.
type RelationFilter struct {
	Predicate string
	// Outgoing: the entity is the statement's subject ("chips manufactured
	// by TSMC" is manufacturedBy, Outgoing, To tsmc); Incoming: its object
	// ("foundries that manufacture a 3 nm chip" is manufacturedBy, Incoming,
	// Where a chip on node-3nm). Symmetric predicates match either way.
	Direction Direction
	To        []string
	Where     *EntityFilter
}

// ValueFilter holds when the entity has a current statement of a literal
// Predicate whose value is in every bound given. Quantities are converted
// to the predicate's unit before comparing; an amount without a unit is in
// that unit. A date bound compares with the whole period it names: Gte
// "2024" is from 2024-01-01 on, Lt "2024" before it, Lte "2024" up to the
// end of 2024, Eq "2024-06" anywhere in June 2024. Precision keeps only
// statements with that precision qualifier (peakPerformance "FP8").
type ValueFilter struct {
	Predicate string
	Eq        *Value
	Gt        *Value
	Gte       *Value
	Lt        *Value
	Lte       *Value
	Precision string
}

// Range is an inclusive range of canonical numbers (Value.Number).
type Range struct {
	Lo, Hi float64
	// Currency, when set, must be the currency of money values.
	Currency string
}

// Empty reports whether no number is in the range.
func (r Range) Empty() bool { return r.Lo > r.Hi || math.IsNaN(r.Lo) || math.IsNaN(r.Hi) }

// eqTolerance is the relative tolerance of Eq on converted quantities, so
// that 0.1 TB equals 100 GB despite floating point.
const eqTolerance = 1e-9

// Range converts the filter's bounds into one range of p's canonical
// numbers. It fails when a bound does not fit the predicate: a unit of
// another dimension, a currency on a quantity, a date for a number.
func (f *ValueFilter) Range(p *Predicate) (Range, error) {
	r := Range{Lo: math.Inf(-1), Hi: math.Inf(1)}
	t := p.ObjectType()
	switch t {
	case QuantityValue, MoneyValue, DateValue, BoolValue:
	default:
		return r, Invalid("filter.value.predicate", RTypeMismatch,
			"predicate %q has %s values, which have no order; filter on a quantity, money, date or boolean predicate", p.Name, t)
	}
	bounds := []struct {
		name string
		v    *Value
	}{{"eq", f.Eq}, {"gt", f.Gt}, {"gte", f.Gte}, {"lt", f.Lt}, {"lte", f.Lte}}
	given := false
	for _, b := range bounds {
		if b.v == nil {
			continue
		}
		given = true
		field := "filter.value." + b.name
		lo, hi, cur, err := boundInterval(field, p, t, *b.v)
		if err != nil {
			return r, err
		}
		if cur != "" {
			if r.Currency != "" && r.Currency != cur {
				return r, Invalid(field+".currency", RBadValue, "bounds name two currencies, %s and %s", r.Currency, cur)
			}
			r.Currency = cur
		}
		// [lo, hi] is the set of numbers equal to the bound.
		switch b.name {
		case "eq":
			r.Lo, r.Hi = math.Max(r.Lo, lo), math.Min(r.Hi, hi)
		case "gt":
			r.Lo = math.Max(r.Lo, math.Nextafter(hi, math.Inf(1)))
		case "gte":
			r.Lo = math.Max(r.Lo, lo)
		case "lt":
			r.Hi = math.Min(r.Hi, math.Nextafter(lo, math.Inf(-1)))
		case "lte":
			r.Hi = math.Min(r.Hi, hi)
		}
	}
	if !given {
		return r, Invalid("filter.value", RMissing, "give at least one of eq, gt, gte, lt and lte")
	}
	return r, nil
}

// boundInterval returns the canonical numbers a bound stands for: one
// number for quantities (within eqTolerance), money and booleans, the
// whole period for dates.
func boundInterval(field string, p *Predicate, t ValueType, v Value) (lo, hi float64, currency string, err error) {
	switch t {
	case QuantityValue:
		if v.Type != QuantityValue && v.Type != MoneyValue {
			return 0, 0, "", Invalid(field, RTypeMismatch, "predicate %q has quantities; give an amount and a unit", p.Name)
		}
		if v.Currency != "" {
			return 0, 0, "", Invalid(field+".currency", RTypeMismatch, "predicate %q has quantities, not money", p.Name)
		}
		n := v.Amount
		if v.Unit != "" && v.Unit != p.Unit {
			c, ok := Convert(v.Amount, v.Unit, p.Unit)
			if !ok {
				if _, known := LookupUnit(v.Unit); !known {
					return 0, 0, "", Invalid(field+".unit", RBadUnit, "unknown unit %q", v.Unit)
				}
				return 0, 0, "", Invalid(field+".unit", RBadUnit, "unit %q does not measure what %q does (its unit is %s)", v.Unit, p.Name, p.Unit)
			}
			n = c
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, 0, "", Invalid(field+".amount", RBadValue, "amount is not a finite number")
		}
		d := math.Abs(n) * eqTolerance
		return n - d, n + d, "", nil
	case MoneyValue:
		if v.Type != QuantityValue && v.Type != MoneyValue || v.Unit != "" {
			return 0, 0, "", Invalid(field, RTypeMismatch, "predicate %q has money values; give an amount and optionally a currency", p.Name)
		}
		if math.IsNaN(v.Amount) || math.IsInf(v.Amount, 0) {
			return 0, 0, "", Invalid(field+".amount", RBadValue, "amount is not a finite number")
		}
		return v.Amount, v.Amount, strings.ToUpper(v.Currency), nil
	case DateValue:
		if v.Type != DateValue || v.Date.IsZero() {
			return 0, 0, "", Invalid(field, RTypeMismatch, "predicate %q has dates; give a date such as \"2024\" or \"2024-06\"", p.Name)
		}
		return float64(v.Date.Start().Unix()), math.Nextafter(float64(v.Date.End().Unix()), math.Inf(-1)), "", nil
	case BoolValue:
		if v.Type != BoolValue {
			return 0, 0, "", Invalid(field, RTypeMismatch, "predicate %q has booleans; give a boolean", p.Name)
		}
		n, _ := v.Number()
		return n, n, "", nil
	}
	return 0, 0, "", Invalid(field, RTypeMismatch, "predicate %q cannot be compared", p.Name)
}

// EntitySort orders entities by a literal predicate (its canonical number:
// quantities in base units, dates by their start) or, with Predicate
// empty, by key. An entity with several values sorts by its smallest
// (ascending) or largest (descending); entities without one come last.
// Ties are broken by entity ID, so the order is total and stable.
type EntitySort struct {
	Predicate string
	Precision string // only values with this precision qualifier
	Desc      bool
}

// EntityQuery selects a page of entities: those matching Filter (all when
// nil) in Sort order (ID order when empty).
type EntityQuery struct {
	Filter *EntityFilter
	Sort   []EntitySort
	After  string
	First  int
}

// TraversalQuery selects an entity's neighborhood: the entities within
// Depth statements of it (following Predicates, all relations when empty,
// in Direction), at most Limit of them, and every statement between two of
// them.
type TraversalQuery struct {
	Depth      int
	Predicates []string
	Direction  Direction
	Limit      int
}

// Neighborhood is what a graph view draws: nodes with their distance from
// the start, and edges (statements) between them. Truncated is set when
// Limit (or the edge bound) left some out.
type Neighborhood struct {
	Nodes     []NeighborNode
	Edges     []*Statement
	Truncated bool
}

// NeighborNode is an entity of a neighborhood and its distance from the start.
type NeighborNode struct {
	Entity *Entity
	Depth  int
}

// PathQuery asks for the shortest paths between two entities of at most
// MaxHops statements, following Predicates (all relations when empty) in
// either direction; at most First paths.
type PathQuery struct {
	From, To   string
	MaxHops    int
	Predicates []string
	First      int
}

// Path is a sequence of entities linked by statements: Hops[i] links
// Nodes[i] and Nodes[i+1].
type Path struct {
	Nodes []*Entity
	Hops  []Hop
}

// Hop is one statement of a path. Forward is true when the path goes from
// the statement's subject to its object.
type Hop struct {
	Statement *Statement
	Forward   bool
}

// MetricOp is an aggregation function.
type MetricOp uint8

// Metric operations.
const (
	Count MetricOp = iota
	Sum
	Min
	Max
	Avg
)

var metricOpNames = [...]string{"COUNT", "SUM", "MIN", "MAX", "AVG"}

func (o MetricOp) String() string {
	if int(o) < len(metricOpNames) {
		return metricOpNames[o]
	}
	return ""
}

// ParseMetricOp is the inverse of MetricOp.String.
func ParseMetricOp(s string) (MetricOp, bool) {
	for i, n := range metricOpNames {
		if n == s {
			return MetricOp(i), true
		}
	}
	return 0, false
}

// DatePart truncates a date for grouping.
type DatePart uint8

// Date parts; DateExact groups by the date as stored.
const (
	DateExact DatePart = iota
	DateYear
	DateQuarter
	DateMonth
)

// GroupBy is one dimension of an aggregation: the entity at the other end
// of a relation (every one, for an entity with several), or the value of a
// literal (one per entity: its preferred statement, else its first).
// Entities with no value form a group whose key is missing, unless
// SkipMissing leaves them out.
type GroupBy struct {
	Predicate   string
	Direction   Direction // relations only
	DatePart    DatePart  // date literals only
	Unit        string    // quantity literals: the unit keys are given in
	Precision   string    // only values with this precision qualifier
	SkipMissing bool
}

// Metric is one aggregate value of a group. Count without a predicate
// counts the group's entities; with one, the entities that have a value.
// The others take one value per entity (as GroupBy does), converted to
// Unit for quantities.
type Metric struct {
	Op        MetricOp
	Predicate string
	Unit      string
	Precision string
}

// AggregateQuery groups the entities matching Filter and computes Metrics
// for each group; at most First groups, ordered by key, or by count
// (largest first) with ByCount.
type AggregateQuery struct {
	Filter  *EntityFilter
	GroupBy []GroupBy
	Metrics []Metric
	First   int
	ByCount bool
}

// Aggregate is an aggregation's result. Entities counts the entities
// matched; TotalGroups every group, not only those returned.
type Aggregate struct {
	Groups      []Group
	Entities    int
	TotalGroups int
}

// Group is one group: its key in each dimension, its entity count and
// its metrics (in query order).
type Group struct {
	Keys    []GroupKey
	Count   int
	Metrics []MetricValue
}

// GroupKey is a group's key in one dimension: an entity, a literal value,
// or neither when the group holds entities without a value.
type GroupKey struct {
	Entity *Entity
	Value  *Value
}

// Missing reports whether the key stands for "no value".
func (k GroupKey) Missing() bool { return k.Entity == nil && k.Value == nil }

// MetricValue is a metric's result for a group: Value over N values.
// Null is set when no entity of the group has a value (N = 0), except for
// Count.
type MetricValue struct {
	Value float64
	N     int
	Null  bool
}
