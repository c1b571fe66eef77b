package graph

import "sort"

// Unit describes a unit of measure: its dimension's base unit and the factor
// that converts an amount in this unit to the base unit.
type Unit struct {
	Symbol string
	Base   string // base unit of the dimension, e.g. "B" for bytes
	Factor float64
}

// units is built by a function, not init, so that package-level
// variables that use it (the predicate registry) see it filled.
var units = buildUnits()

func addUnits(units map[string]Unit, base string, pairs ...any) {
	for i := 0; i < len(pairs); i += 2 {
		s := pairs[i].(string)
		units[s] = Unit{Symbol: s, Base: base, Factor: pairs[i+1].(float64)}
	}
}

func buildUnits() map[string]Unit {
	units := map[string]Unit{}
	addUnits(units, "B", "B", 1.0, "kB", 1e3, "MB", 1e6, "GB", 1e9, "TB", 1e12, "KiB", 1024.0, "MiB", 1048576.0, "GiB", 1073741824.0, "TiB", 1099511627776.0)
	addUnits(units, "B/s", "B/s", 1.0, "kB/s", 1e3, "MB/s", 1e6, "GB/s", 1e9, "TB/s", 1e12)
	addUnits(units, "bit/s", "bit/s", 1.0, "kbit/s", 1e3, "Mbit/s", 1e6, "Gbit/s", 1e9, "Tbit/s", 1e12)
	addUnits(units, "FLOP/s", "FLOP/s", 1.0, "GFLOP/s", 1e9, "TFLOP/s", 1e12, "PFLOP/s", 1e15, "EFLOP/s", 1e18)
	addUnits(units, "OP/s", "OP/s", 1.0, "GOP/s", 1e9, "TOP/s", 1e12, "POP/s", 1e15)
	addUnits(units, "W", "W", 1.0, "kW", 1e3, "MW", 1e6, "GW", 1e9)
	addUnits(units, "Hz", "Hz", 1.0, "kHz", 1e3, "MHz", 1e6, "GHz", 1e9)
	addUnits(units, "nm", "nm", 1.0, "um", 1e3, "mm", 1e6)
	addUnits(units, "mm2", "mm2", 1.0, "cm2", 100.0)
	addUnits(units, "bit", "bit", 1.0)
	addUnits(units, "1", "1", 1.0, "thousand", 1e3, "million", 1e6, "billion", 1e9)
	addUnits(units, "%", "%", 1.0)
	addUnits(units, "s", "s", 1.0, "month", 2629746.0, "year", 31556952.0)
	return units
}

// LookupUnit returns the unit with the given symbol.
func LookupUnit(symbol string) (Unit, bool) {
	u, ok := units[symbol]
	return u, ok
}

// Units returns every known unit symbol, sorted.
func Units() []string {
	out := make([]string, 0, len(units))
	for s := range units {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Convert converts amount from one unit to another of the same dimension.
func Convert(amount float64, from, to string) (float64, bool) {
	f, ok1 := units[from]
	t, ok2 := units[to]
	if !ok1 || !ok2 || f.Base != t.Base {
		return 0, false
	}
	return amount * f.Factor / t.Factor, true
}
