// Package gen generates chipgraph's benchmark dataset: a synthetic
// AI-hardware industry of companies, foundries, people, chip families,
// chips, systems and process nodes, with sources whose text the statements
// and claims quote, written as native NDJSON records (graph.Record).
//
// A dataset is a function of its Config alone: the same scale and seed give
// the same bytes, on any machine and with any number of CPUs. Counts, time
// and memory are linear in the scale. At scale 1 it holds 27,590 entities
// and 100,000 claims (about 128,000 entities and claims), 5,000 sources
// with texts of a few hundred to about 3,000 bytes, and about 765,000
// statements with 880,000 references, a fifth of them quoting their
// source. A fact is a statement or a claim: about 865,000 facts, in 230 MiB
// of NDJSON. Counts gives the entity, source and claim counts for a scale
// without generating anything; Stats reports the rest.
//
// Every record passes its own checks (Record.Validate), and every statement
// and claim resolves (Resolve) against the records written before it:
// kinds fit the predicate registry, and every quote is a verbatim sentence
// or phrase of its source's text, so the store verifies it with
// graph.LocateQuote. Recorded times are left out for the store to set, and
// so are statement keys, which the import derives from the content.
//
// # Keys
//
// Entity keys are readable slugs of the name followed by the entity's index
// within its kind: "<name-slug>-<n>", for example "dohosys-networks-0"
// (company 0) or "grasyl-stream-s150-12345" (chip 12345, of the family
// "Grasyl Stream"). Names are unique across all entities, so keys are too;
// chip names carry a model token (a letter and at least three digits) that
// no other kind's name has. Source keys are "<publisher>-<year>-<n>", claim
// keys "claim-<n>". The Dataset methods (ChipKey, ChipName, CompanyKey,
// TopDesigners, CompanyPath, ...) give the keys and names a load generator
// needs without reading the dataset back.
package gen

import (
	"context"
	"io"
	"runtime"
	"sync"

	"github.com/chipgraph/chipgraph/graph"
)

// Config selects one dataset.
type Config struct {
	// Scale multiplies every count; 1 is the reference size, and fractions
	// (0.01 for tests) are fine. Every count is at least 1.
	Scale float64
	// Seed selects the random choices: names, structure, values.
	Seed int64
}

// Stats counts what Generate wrote.
type Stats struct {
	Sources, Entities, Statements, Claims int
	// References counts statement references (a claim has exactly one);
	// QuotedReferences those that carry a quote of their source's text.
	References, QuotedReferences int
	// Entities by kind.
	Companies, Foundries, People, Chips, ChipFamilies, Systems, ProcessNodes int
	// Bytes is the size of the NDJSON output.
	Bytes int64
}

// Records is the number of records (lines) written.
func (s Stats) Records() int { return s.Sources + s.Entities + s.Statements + s.Claims }

// Facts is the number of facts: statements plus claims.
func (s Stats) Facts() int { return s.Statements + s.Claims }

func (s *Stats) add(o Stats) {
	s.Sources += o.Sources
	s.Entities += o.Entities
	s.Statements += o.Statements
	s.Claims += o.Claims
	s.References += o.References
	s.QuotedReferences += o.QuotedReferences
	s.Companies += o.Companies
	s.Foundries += o.Foundries
	s.People += o.People
	s.Chips += o.Chips
	s.ChipFamilies += o.ChipFamilies
	s.Systems += o.Systems
	s.ProcessNodes += o.ProcessNodes
	s.Bytes += o.Bytes
}

// Generate writes the dataset for cfg to w as NDJSON records, sources
// first, then entities, statements and claims, so that it imports in one
// pass. It returns what it wrote; on an error (from w, or ctx's) the Stats
// count what was written before it.
func Generate(ctx context.Context, w io.Writer, cfg Config) (Stats, error) {
	return New(cfg).Generate(ctx, w)
}

// Generate writes the dataset to w; see the package function Generate.
//
// Records are built in chunks by one worker per CPU and written in order;
// each chunk draws from random streams seeded by its entities' indices, so
// the bytes do not depend on the number of workers. Memory stays bounded by
// a few chunks in flight.
func (d *Dataset) Generate(ctx context.Context, w io.Writer) (Stats, error) {
	return d.generate(ctx, w, nil)
}

// generate is Generate with a hook that sees every record as it is built
// (for tests; the record is reused after the hook returns).
func (d *Dataset) generate(parent context.Context, w io.Writer, hook func(*graph.Record)) (Stats, error) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()

	type result struct {
		buf *[]byte
		st  Stats
	}
	type job struct {
		t   task
		out chan result
	}
	workers := runtime.GOMAXPROCS(0)
	if hook != nil {
		workers = 1 // the hook need not be safe for concurrent use
	}
	bufs := sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}
	jobs := make(chan job)
	order := make(chan chan result, 2*workers)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := d.newSink(hook)
			for j := range jobs {
				s.enc.b = (*bufs.Get().(*[]byte))[:0]
				s.st = Stats{}
				d.run(s, j.t)
				b := s.enc.b
				j.out <- result{buf: &b, st: s.st}
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for _, t := range d.tasks() {
			out := make(chan result, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{t, out}:
			case <-ctx.Done():
				return
			}
		}
	}()

	var st Stats
	var err error
loop:
	for out := range order {
		var res result
		select {
		case res = <-out:
		case <-ctx.Done():
			err = ctx.Err()
			break loop
		}
		if err = ctx.Err(); err != nil {
			break
		}
		n, werr := w.Write(*res.buf)
		res.st.Bytes = int64(n)
		st.add(res.st)
		bufs.Put(res.buf)
		if werr != nil {
			err = werr
			break
		}
	}
	if err == nil {
		err = parent.Err() // the producer may have stopped before the writer saw it
	}
	cancel()
	for range order { // let the producer finish
	}
	wg.Wait()
	return st, err
}

// task is a chunk of records: entities [lo, hi) of one kind, in one phase.
type task struct {
	phase  phase
	lo, hi int
}

type phase uint8

const (
	phSources phase = iota
	phCompanies
	phFoundries
	phPeople
	phFamilies
	phChips
	phSystems
	phNodes
	phCompanyStatements
	phFoundryStatements
	phPersonStatements
	phFamilyStatements
	phChipStatements
	phSystemStatements
	phNodeStatements
	phClaims
)

// tasks lists the chunks in output order. Chunk sizes aim at roughly a
// megabyte of output each.
func (d *Dataset) tasks() []task {
	z := d.size
	var ts []task
	add := func(p phase, n, chunk int) {
		for lo := 0; lo < n; lo += chunk {
			ts = append(ts, task{p, lo, min(n, lo+chunk)})
		}
	}
	add(phSources, z.Sources, 256)
	add(phCompanies, z.Companies, 4096)
	add(phFoundries, z.Foundries, 4096)
	add(phPeople, z.People, 4096)
	add(phFamilies, z.ChipFamilies, 4096)
	add(phChips, z.Chips, 4096)
	add(phSystems, z.Systems, 4096)
	add(phNodes, z.ProcessNodes, 4096)
	add(phCompanyStatements, z.Companies, 32)
	add(phFoundryStatements, z.Foundries, 256)
	add(phPersonStatements, z.People, 1024)
	add(phFamilyStatements, z.ChipFamilies, 512)
	add(phChipStatements, z.Chips, 128)
	add(phSystemStatements, z.Systems, 256)
	add(phNodeStatements, z.ProcessNodes, 256)
	add(phClaims, z.Claims, 2048)
	return ts
}

// run writes one task's records to s.
func (d *Dataset) run(s *sink, t task) {
	for i := t.lo; i < t.hi; i++ {
		switch t.phase {
		case phSources:
			d.writeSource(s, i)
		case phCompanies:
			d.writeCompany(s, i)
		case phFoundries:
			d.writeFoundry(s, i)
		case phPeople:
			d.writePerson(s, i)
		case phFamilies:
			d.writeFamily(s, i)
		case phChips:
			d.writeChip(s, i)
		case phSystems:
			d.writeSystem(s, i)
		case phNodes:
			d.writeNode(s, i)
		case phCompanyStatements:
			d.companyStatements(s, i)
		case phFoundryStatements:
			d.foundryStatements(s, i)
		case phPersonStatements:
			d.personStatements(s, i)
		case phFamilyStatements:
			d.familyStatements(s, i)
		case phChipStatements:
			d.chipStatements(s, i)
		case phSystemStatements:
			d.systemStatements(s, i)
		case phNodeStatements:
			d.nodeStatements(s, i)
		case phClaims:
			d.writeClaim(s, i)
		}
	}
}
