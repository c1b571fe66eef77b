package starter

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
)

// EpochSourceKey is the key of the source record for Epoch AI's dataset.
// Every statement EpochRecords makes names it as ImportedFrom.
const EpochSourceKey = "epoch-ml-hardware"

// EpochSource returns Epoch AI's "Data on Machine Learning Hardware"
// dataset as a source. retrieved is when the copy was taken; zero when
// unknown.
func EpochSource(retrieved graph.Date) *graph.Source {
	return &graph.Source{
		Key:       EpochSourceKey,
		URL:       "https://epoch.ai/data/machine-learning-hardware",
		Title:     "Data on Machine Learning Hardware",
		Publisher: "Epoch AI",
		Kind:      graph.Dataset,
		Retrieved: retrieved,
	}
}

// Epoch CSV columns read by name (their position does not matter).
const (
	colName        = "Hardware name" // required
	colDesigner    = "Manufacturer"
	colType        = "Type"
	colNotes       = "Notes"
	colRelease     = "Release date"
	colPrice       = "Release price (USD)"
	colFoundry     = "Foundry"
	colProcess     = "Process size (nm)"
	colDatasheet   = "Link to datasheet"
	colPriceSource = "Source for the price"
	colModified    = "Last modified"
)

// epochQuantities maps Epoch's measurement columns to predicates, in the
// order their statements are emitted. Precision, when set, becomes the
// statement's "precision" qualifier.
//
// Columns deliberately not converted:
//   - derived by Epoch from the other columns, so not evidence of their own:
//     "Max performance", "Energy efficiency", "Total processing performance
//     (bit-OP/s)", "Price-performance", "ML OP/s";
//   - no predicate for them yet: "Memory clock (MHz)", "Memory bus (bit)",
//     "Tensor cores", "ML models";
//   - "Notes" only contributes its first line to the chip's description.
var epochQuantities = []struct {
	column, predicate, unit, precision string
}{
	{"TDP (W)", "tdp", "W", ""},
	{"Memory (bytes)", "memory", "B", ""},
	{"Memory bandwidth (byte/s)", "memoryBandwidth", "B/s", ""},
	{"Intranode bandwidth (byte/s)", "intranodeBandwidth", "B/s", ""},
	{"Internode bandwidth (bit/s)", "internodeBandwidth", "bit/s", ""},
	{"Die Size (mm^2)", "dieSize", "mm2", ""},
	{"Transistors (millions)", "transistorCount", "million", ""},
	{"Base clock (MHz)", "baseClock", "MHz", ""},
	{"Boost clock (MHz)", "boostClock", "MHz", ""},
	{"FP64 (double precision) performance (FLOP/s)", "peakPerformance", "FLOP/s", "FP64"},
	{"FP32 (single precision) performance (FLOP/s)", "peakPerformance", "FLOP/s", "FP32"},
	{"TF32 (TensorFloat-32) performance (FLOP/s)", "peakPerformance", "FLOP/s", "TF32"},
	{"FP16 (half precision) performance (FLOP/s)", "peakPerformance", "FLOP/s", "FP16"},
	{"Tensor-FP16/BF16 performance (FLOP/s)", "peakPerformance", "FLOP/s", "FP16/BF16 tensor"},
	{"FP8 performance (FLOP/s)", "peakPerformance", "FLOP/s", "FP8"},
	{"FP4 performance (FLOP/s)", "peakPerformance", "FLOP/s", "FP4"},
	{"INT16 performance (OP/s)", "peakIntegerPerformance", "OP/s", "INT16"},
	{"INT8 performance (OP/s)", "peakIntegerPerformance", "OP/s", "INT8"},
	{"INT4 performance (OP/s)", "peakIntegerPerformance", "OP/s", "INT4"},
}

// org is an organization's key, display name and aliases.
type org struct {
	key, name string
	aliases   []string
}

// epochDesigners maps Epoch's "Manufacturer" spellings (normalized) to the
// company keys the seed data uses. Names not listed become a Company keyed
// by the slug of Epoch's spelling.
var epochDesigners = map[string]org{
	"nvidia":                {"nvidia", "Nvidia", []string{"NVIDIA"}},
	"amazon aws":            {"aws", "Amazon Web Services", []string{"AWS", "Amazon AWS"}},
	"amd":                   {"amd", "AMD", []string{"Advanced Micro Devices"}},
	"kunlunxin baidu":       {"kunlunxin", "Kunlunxin", []string{"Kunlunxin Baidu"}},
	"moore threads tencent": {"moore-threads", "Moore Threads", []string{"Moore Threads (Tencent)"}},
	"pezy":                  {"pezy", "PEZY Computing", []string{"PEZY"}},
	"national university of defense technology": {"nudt", "National University of Defense Technology", []string{"NUDT"}},
}

// epochFoundries maps Epoch's "Foundry" spellings (normalized) to Foundry
// entities. Intel and Samsung are also chip designers, so their foundry
// businesses get keys of their own.
var epochFoundries = map[string]org{
	"tsmc":    {"tsmc", "TSMC", []string{"Taiwan Semiconductor Manufacturing Company"}},
	"samsung": {"samsung-foundry", "Samsung Foundry", []string{"Samsung"}},
	"intel":   {"intel-foundry", "Intel Foundry", nil},
	"smic":    {"smic", "SMIC", []string{"Semiconductor Manufacturing International Corporation"}},
}

// epochChipNames gives chips the seed data refers to their seed keys and
// common names; Epoch's name stays an alias. Other chips are keyed by the
// slug of Epoch's name.
var epochChipNames = map[string]org{
	"Amazon Trainium1": {"trainium1", "Trainium1", []string{"Amazon Trainium1", "Trn1"}},
	"Amazon Trainium2": {"trainium2", "Trainium2", []string{"Amazon Trainium2", "Trn2"}},
	"Amazon Trainium3": {"trainium3", "Trainium3", []string{"Amazon Trainium3", "Trn3"}},
	"AWS Inferentia2":  {"inferentia2", "Inferentia2", []string{"AWS Inferentia2", "Inf2"}},
}

// EpochRecords converts an Epoch AI ML-hardware CSV export into records:
// sources first (the dataset itself, then the datasheet and price links the
// rows cite), then entities (designers, foundries, process nodes, chips),
// then statements, each emitted once and in a deterministic order.
//
// Columns are found by header name, so their order does not matter and
// optional columns may be missing; only "Hardware name" is required. Each
// row becomes a Chip with statements referencing the row's first datasheet
// link (or, for price, its "Source for the price" link; or, with no link,
// the dataset itself), with ImportedFrom EpochSourceKey, Retrieved the
// row's "Last modified" day and the row and column in Locator.Section.
//
// A malformed cell is an error naming the file, line and column:
//
//	ml_hardware.csv:17: column "TDP (W)": "abc" is not a number
func EpochRecords(r io.Reader, name string) ([]graph.Record, error) {
	return convertEpoch(r, name, EpochSource(graph.Date{}))
}

// convertEpoch is EpochRecords with the dataset's source record given.
//
// The dataset source carries the CSV's text, and every statement gets a
// second reference to it quoting the row verbatim, so the store verifies
// the row against the dataset text and reports its offsets.
func convertEpoch(r io.Reader, name string, dataset *graph.Source) ([]graph.Record, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if dataset.Text == "" {
		dataset.Text = string(raw)
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: empty file (want an Epoch ML hardware CSV)", name)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	c := &epochConverter{
		file:    name,
		base:    filepath.Base(name),
		col:     map[string]int{},
		sources: map[string]*sourceUse{},
		ents:    map[string]*graph.Entity{},
		chips:   map[string]int{},
	}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := c.col[h]; dup && h != "" {
			return nil, &graph.LineError{File: name, Line: 1, Err: fmt.Errorf("column %q appears twice", h)}
		}
		c.col[h] = i
	}
	if _, ok := c.col[colName]; !ok {
		return nil, &graph.LineError{File: name, Line: 1, Err: fmt.Errorf("no %q column", colName)}
	}
	if err := dataset.Validate(); err != nil {
		return nil, err
	}
	c.sourceOrder = append(c.sourceOrder, &sourceUse{src: dataset})
	for {
		start := cr.InputOffset()
		cells, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		text := strings.TrimRight(string(raw[start:cr.InputOffset()]), "\r\n")
		row := epochRow{cells: cells, line: line, lines: make([]int, len(cells)), text: text}
		for i := range cells {
			row.lines[i], _ = cr.FieldPos(i)
		}
		if err := c.row(&row); err != nil {
			return nil, err
		}
	}
	return c.records(), nil
}

// epochRow is one CSV record with the line each field starts on.
type epochRow struct {
	cells    []string
	line     int
	lines    []int
	name     string     // hardware name
	sheet    string     // source key of the datasheet (or the dataset)
	modified graph.Date // "Last modified", as a day
	text     string     // the row as it stands in the CSV, quoted by references
}

// sourceUse is a linked source and the rows that cite it.
type sourceUse struct {
	src      *graph.Source
	sheetFor []string
	priceFor []string
}

type epochConverter struct {
	file, base  string
	col         map[string]int
	sources     map[string]*sourceUse // by URL
	sourceOrder []*sourceUse
	ents        map[string]*graph.Entity
	companies   []*graph.Entity
	foundries   []*graph.Entity
	nodes       []*graph.Entity
	chipEnts    []*graph.Entity
	chips       map[string]int // chip key -> line, to refuse duplicates
	nodeStmts   []*graph.Statement
	stmts       []*graph.Statement
}

// cell returns the trimmed cell of the named column ("" if the column is
// missing) and the line the cell starts on.
func (c *epochConverter) cell(row *epochRow, column string) (string, int) {
	i, ok := c.col[column]
	if !ok || i >= len(row.cells) {
		return "", row.line
	}
	return strings.TrimSpace(row.cells[i]), row.lines[i]
}

// cellError is an error about one cell: file, line, column.
func (c *epochConverter) cellError(line int, column string, format string, args ...any) error {
	return &graph.LineError{File: c.file, Line: line, Err: graph.Invalid(fmt.Sprintf("column %q", column), graph.RBadValue, format, args...)}
}

// number parses a numeric cell; ok is false when the cell is empty.
func (c *epochConverter) number(row *epochRow, column string) (x float64, ok bool, err error) {
	s, line := c.cell(row, column)
	if s == "" {
		return 0, false, nil
	}
	x, err = strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false, c.cellError(line, column, "%q is not a number", s)
	}
	return x, true, nil
}

// date parses a date cell as a day (timestamps are cut to their day).
func (c *epochConverter) date(row *epochRow, column string) (graph.Date, error) {
	s, line := c.cell(row, column)
	if s == "" {
		return graph.Date{}, nil
	}
	d, err := graph.ParseDate("", s)
	if err != nil {
		return graph.Date{}, c.cellError(line, column, "%q is not a date (want YYYY-MM-DD)", s)
	}
	return d, nil
}

func (c *epochConverter) row(row *epochRow) error {
	row.name, _ = c.cell(row, colName)
	if row.name == "" {
		return c.cellError(row.line, colName, "hardware name is empty")
	}
	var err error
	if row.modified, err = c.date(row, colModified); err != nil {
		return err
	}
	if row.sheet, err = c.linkSource(row, colDatasheet); err != nil {
		return err
	}
	if row.sheet == "" {
		row.sheet = EpochSourceKey
	}

	chip, err := c.chip(row)
	if err != nil {
		return err
	}
	if name, line := c.cell(row, colDesigner); name != "" {
		co, err := c.entity(lookupOrg(epochDesigners, name), graph.Company, line, colDesigner)
		if err != nil {
			return err
		}
		chip.Aliases = appendAliases(chip.Aliases, chip.Name, stripDesigner(row.name, name, co))
		if err := c.add(row, colDesigner, row.sheet, chip.Key, "designedBy", graph.EntityRef(co.Key), ""); err != nil {
			return err
		}
	}
	if cell, line := c.cell(row, colFoundry); cell != "" {
		seen := map[string]bool{}
		for _, f := range strings.FieldsFunc(cell, func(r rune) bool { return r == ',' || r == ';' }) {
			if f = strings.TrimSpace(f); f == "" {
				continue
			}
			fo, err := c.entity(lookupOrg(epochFoundries, f), graph.Foundry, line, colFoundry)
			if err != nil {
				return err
			}
			if seen[fo.Key] {
				continue
			}
			seen[fo.Key] = true
			if err := c.add(row, colFoundry, row.sheet, chip.Key, "manufacturedBy", graph.EntityRef(fo.Key), ""); err != nil {
				return err
			}
		}
	}
	if nm, ok, err := c.number(row, colProcess); err != nil {
		return err
	} else if ok {
		node, err := c.node(row, nm)
		if err != nil {
			return err
		}
		if err := c.add(row, colProcess, row.sheet, chip.Key, "processNode", graph.EntityRef(node.Key), ""); err != nil {
			return err
		}
	}
	if d, err := c.date(row, colRelease); err != nil {
		return err
	} else if !d.IsZero() {
		if err := c.add(row, colRelease, row.sheet, chip.Key, "releaseDate", graph.DateOf(d), ""); err != nil {
			return err
		}
	}
	if t, _ := c.cell(row, colType); t != "" {
		if err := c.add(row, colType, row.sheet, chip.Key, "chipType", graph.Text(t), ""); err != nil {
			return err
		}
	}
	if usd, ok, err := c.number(row, colPrice); err != nil {
		return err
	} else if ok {
		src, err := c.linkSource(row, colPriceSource)
		if err != nil {
			return err
		}
		if src == "" {
			src = row.sheet
		}
		if err := c.add(row, colPrice, src, chip.Key, "price", graph.Money(usd, "USD"), ""); err != nil {
			return err
		}
	}
	for _, q := range epochQuantities {
		x, ok, err := c.number(row, q.column)
		if err != nil {
			return err
		} else if !ok {
			continue
		}
		if err := c.add(row, q.column, row.sheet, chip.Key, q.predicate, graph.Quantity(x, q.unit), q.precision); err != nil {
			return err
		}
	}
	return nil
}

// chip creates the row's Chip entity.
func (c *epochConverter) chip(row *epochRow) (*graph.Entity, error) {
	o, ok := epochChipNames[row.name]
	if !ok {
		o = org{key: slug(row.name), name: row.name}
	}
	if o.key == "" {
		return nil, c.cellError(row.line, colName, "hardware name %q has no letters or digits to key it by", row.name)
	}
	if prev, dup := c.chips[o.key]; dup {
		return nil, c.cellError(row.line, colName, "hardware %q has the same key %q as the row on line %d", row.name, o.key, prev)
	}
	c.chips[o.key] = row.line
	if _, taken := c.ents[o.key]; taken {
		return nil, c.cellError(row.line, colName, "hardware key %q is already used by another entity", o.key)
	}
	typ, _ := c.cell(row, colType)
	notes, _ := c.cell(row, colNotes)
	e := &graph.Entity{
		Key:         o.key,
		Kind:        graph.Chip,
		Name:        o.name,
		Aliases:     appendAliases(nil, o.name, o.aliases...),
		Description: describeChip(typ, notes),
	}
	if err := e.Validate(); err != nil {
		return nil, &graph.LineError{File: c.file, Line: row.line, Err: err}
	}
	c.ents[e.Key] = e
	c.chipEnts = append(c.chipEnts, e)
	return e, nil
}

// entity returns the organization entity for o, creating it once.
func (c *epochConverter) entity(o org, kind graph.Kind, line int, column string) (*graph.Entity, error) {
	if o.key == "" {
		return nil, c.cellError(line, column, "%q has no letters or digits to key it by", o.name)
	}
	if e, ok := c.ents[o.key]; ok {
		if e.Kind != kind {
			return nil, c.cellError(line, column, "%q would be a %s, but key %q is already a %s", o.name, kind, o.key, e.Kind)
		}
		return e, nil
	}
	e := &graph.Entity{Key: o.key, Kind: kind, Name: o.name, Aliases: appendAliases(nil, o.name, o.aliases...)}
	if err := e.Validate(); err != nil {
		return nil, &graph.LineError{File: c.file, Line: line, Err: err}
	}
	c.ents[e.Key] = e
	if kind == graph.Foundry {
		c.foundries = append(c.foundries, e)
	} else {
		c.companies = append(c.companies, e)
	}
	return e, nil
}

// node returns the ProcessNode entity for a feature size in nm, creating it
// (and its featureSize statement) once.
func (c *epochConverter) node(row *epochRow, nm float64) (*graph.Entity, error) {
	n := strconv.FormatFloat(nm, 'f', -1, 64)
	key := "node-" + n + "nm"
	if e, ok := c.ents[key]; ok {
		return e, nil
	}
	e := &graph.Entity{Key: key, Kind: graph.ProcessNode, Name: n + " nm", Aliases: []string{n + "nm"}}
	if err := e.Validate(); err != nil {
		_, line := c.cell(row, colProcess)
		return nil, c.cellError(line, colProcess, "%v", err)
	}
	c.ents[key] = e
	c.nodes = append(c.nodes, e)
	s := &graph.Statement{
		Subject:   key,
		Predicate: "featureSize",
		Object:    graph.Quantity(nm, "nm"),
		Rank:      graph.Normal,
		References: []graph.Reference{{
			Source:       EpochSourceKey,
			Locator:      graph.Locator{Section: fmt.Sprintf("%s column %q", c.base, colProcess)},
			ImportedFrom: EpochSourceKey,
		}},
	}
	if err := s.ValidateShape(); err != nil {
		return nil, err
	}
	c.nodeStmts = append(c.nodeStmts, s)
	return e, nil
}

// add appends a statement about the row's chip, referencing source.
func (c *epochConverter) add(row *epochRow, column, source, subject, predicate string, obj graph.Value, precision string) error {
	s := &graph.Statement{
		Subject:   subject,
		Predicate: predicate,
		Object:    obj,
		Rank:      graph.Normal,
		References: []graph.Reference{{
			Source:       source,
			Locator:      graph.Locator{Section: fmt.Sprintf("%s row %q, column %q", c.base, row.name, column)},
			Retrieved:    row.modified,
			ImportedFrom: EpochSourceKey,
		}},
	}
	if source != EpochSourceKey {
		// The row itself, quoted from the dataset's text.
		s.References = append(s.References, graph.Reference{
			Source:  EpochSourceKey,
			Quote:   row.text,
			Locator: graph.Locator{Section: fmt.Sprintf("%s row %q, column %q", c.base, row.name, column)},
		})
	} else {
		s.References[0].Quote = row.text
	}
	if precision != "" {
		s.Qualifiers.Extra = map[string]string{"precision": precision}
	}
	if err := s.ValidateShape(); err != nil {
		_, line := c.cell(row, column)
		return c.cellError(line, column, "%v", err)
	}
	c.stmts = append(c.stmts, s)
	return nil
}

// urlRE matches a scheme-less link such as "techpowerup.com/gpu-specs/x".
var urlRE = regexp.MustCompile(`^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/\S*$`)

// firstURL returns the first link in a cell that may hold several links
// separated by whitespace or "; ", or prose around a link. A scheme-less
// host/path link gets "https://".
func firstURL(cell string) string {
	for _, tok := range strings.Fields(cell) {
		tok = strings.TrimRight(tok, ",;")
		switch {
		case strings.HasPrefix(tok, "https://"), strings.HasPrefix(tok, "http://"):
			return tok
		case urlRE.MatchString(tok):
			return "https://" + tok
		}
	}
	return ""
}

// linkSource registers the first link of a link column as a source and
// returns its key, or "" when the cell holds no link.
func (c *epochConverter) linkSource(row *epochRow, column string) (string, error) {
	cell, line := c.cell(row, column)
	u := firstURL(cell)
	if u == "" {
		return "", nil
	}
	use, ok := c.sources[u]
	if !ok {
		src := &graph.Source{Key: graph.SourceKeyForURL(u), URL: u, Kind: graph.WebPage}
		if err := graph.ValidateURL("url", u); err != nil {
			return "", c.cellError(line, column, "%q is not a usable link", u)
		}
		use = &sourceUse{src: src}
		c.sources[u] = use
		c.sourceOrder = append(c.sourceOrder, use)
	}
	if column == colDatasheet {
		use.sheetFor = append(use.sheetFor, row.name)
	} else {
		use.priceFor = append(use.priceFor, row.name)
	}
	return use.src.Key, nil
}

// records returns everything converted: sources, entities, statements.
func (c *epochConverter) records() []graph.Record {
	var out []graph.Record
	for _, u := range c.sourceOrder {
		switch {
		case len(u.sheetFor) > 0:
			u.src.Kind = graph.Datasheet
			u.src.Title = "Datasheet: " + nameList(u.sheetFor) + " (linked by Epoch AI; not the page's own title)"
		case len(u.priceFor) > 0:
			u.src.Title = "Price source: " + nameList(u.priceFor) + " (linked by Epoch AI; not the page's own title)"
		}
		out = append(out, graph.Record{Type: graph.SourceRecord, Source: u.src})
	}
	for _, group := range [][]*graph.Entity{c.companies, c.foundries, c.nodes, c.chipEnts} {
		for _, e := range group {
			out = append(out, graph.Record{Type: graph.EntityRecord, Entity: e})
		}
	}
	for _, group := range [][]*graph.Statement{c.nodeStmts, c.stmts} {
		for _, s := range group {
			out = append(out, graph.Record{Type: graph.StatementRecord, Statement: s})
		}
	}
	return out
}

// nameList joins hardware names for a title, shortening long lists.
func nameList(names []string) string {
	if len(names) > 3 {
		return fmt.Sprintf("%s and %d more", strings.Join(names[:3], "; "), len(names)-3)
	}
	return strings.Join(names, "; ")
}

// lookupOrg finds an organization by its Epoch spelling, or makes one keyed
// by the spelling's slug.
func lookupOrg(table map[string]org, name string) org {
	if o, ok := table[graph.Normalize(name)]; ok {
		return o
	}
	return org{key: slug(name), name: name}
}

// stripDesigner returns the hardware name without its designer's name in
// front ("Amazon Trainium3" by "Amazon AWS" gives "Trainium3"), or "" when
// the name does not start with it. Any word of Epoch's designer spelling,
// the company's name or an alias counts as a prefix.
func stripDesigner(hardware, designer string, co *graph.Entity) string {
	prefixes := append(co.Names(), designer)
	prefixes = append(prefixes, strings.Fields(designer)...)
	best := ""
	for _, p := range prefixes {
		if len(hardware) > len(p)+1 && strings.EqualFold(hardware[:len(p)], p) && hardware[len(p)] == ' ' {
			if rest := strings.TrimSpace(hardware[len(p):]); len(rest) < len(best) || best == "" {
				best = rest
			}
		}
	}
	return best
}

// appendAliases adds aliases not already among name and list (compared
// normalized), skipping empty ones.
func appendAliases(list []string, name string, aliases ...string) []string {
	have := map[string]bool{graph.Normalize(name): true}
	for _, a := range list {
		have[graph.Normalize(a)] = true
	}
	for _, a := range aliases {
		n := graph.Normalize(a)
		if strings.TrimSpace(a) == "" || have[n] {
			continue
		}
		have[n] = true
		list = append(list, a)
	}
	return list
}

// slug folds accents and turns s into a key: "NVIDIA A100 SXM4 40 GB"
// gives "nvidia-a100-sxm4-40-gb".
func slug(s string) string { return graph.Slug(graph.Normalize(s), 128) }

// describeChip builds a chip's description from Epoch's Type and the first
// line of its Notes (left out when it is only a link or a source note).
func describeChip(typ, notes string) string {
	d := "Chip listed in Epoch AI's Data on Machine Learning Hardware"
	if typ != "" {
		d += " (type: " + typ + ")"
	}
	d += "."
	first, _, _ := strings.Cut(notes, "\n")
	first = strings.TrimSpace(first)
	if first == "" || strings.Contains(first, "http") {
		return d
	}
	if r := []rune(first); len(r) > 300 {
		first = string(r[:300])
		if i := strings.LastIndex(first, ". "); i > 0 {
			first = first[:i+1]
		} else {
			first += "…"
		}
	}
	return d + " Epoch's note: " + first
}
