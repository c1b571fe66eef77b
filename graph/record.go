package graph

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"time"
)

// RecordType names a line of the native NDJSON format.
type RecordType string

// Record types.
const (
	SourceRecord    RecordType = "source"
	EntityRecord    RecordType = "entity"
	StatementRecord RecordType = "statement"
	ClaimRecord     RecordType = "claim"
	RetractRecord   RecordType = "retract"
	RankRecord      RecordType = "rank"
)

// Retract asks to retract a statement, a claim or a whole source (by key)
// with a reason. Retracting a source retracts the statements and claims
// whose only evidence it is and removes its references from the others.
type Retract struct {
	Statement string   `json:"statement,omitempty"`
	Claim     string   `json:"claim,omitempty"`
	Source    string   `json:"source,omitempty"`
	Reason    string   `json:"reason"`
	Recorded  Recorded `json:"recorded,omitzero"`
}

// Validate checks a retraction request.
func (r *Retract) Validate() error {
	n := 0
	for _, k := range []string{r.Statement, r.Claim, r.Source} {
		if k != "" {
			n++
		}
	}
	if n != 1 {
		return Invalid("statement", RMissing, "retract names exactly one of statement, claim and source")
	}
	if strings.TrimSpace(r.Reason) == "" {
		return Invalid("reason", RMissing, "a retraction needs a reason")
	}
	return nil
}

// SetRank changes a statement's rank, recording who, when and why.
type SetRank struct {
	Statement string   `json:"statement"`
	Rank      Rank     `json:"rank"`
	Reason    string   `json:"reason"`
	Recorded  Recorded `json:"recorded,omitzero"`
}

// Validate checks a rank change.
func (r *SetRank) Validate() error {
	if r.Statement == "" {
		return Invalid("statement", RMissing, "rank names a statement")
	}
	if r.Rank == "" {
		return Invalid("rank", RMissing, "rank is required")
	}
	if _, err := ParseRank(string(r.Rank)); err != nil {
		return err
	}
	if strings.TrimSpace(r.Reason) == "" {
		return Invalid("reason", RMissing, "a rank change needs a reason")
	}
	return nil
}

// Record is one line of the native NDJSON format: a type and one payload.
// Line is the 1-based line it was read from (0 when built in code).
type Record struct {
	Type      RecordType
	Source    *Source
	Entity    *Entity
	Statement *Statement
	Claim     *Claim
	Retract   *Retract
	Rank      *SetRank
	Line      int

	valid bool // Validate succeeded; records are not changed after that
}

// Key returns the key of the record's payload.
func (r *Record) Key() string {
	switch r.Type {
	case SourceRecord:
		return r.Source.Key
	case EntityRecord:
		return r.Entity.Key
	case StatementRecord:
		return r.Statement.Key
	case ClaimRecord:
		return r.Claim.Key
	case RetractRecord:
		return r.Retract.Statement + r.Retract.Claim + r.Retract.Source
	case RankRecord:
		return r.Rank.Statement
	}
	return ""
}

// RecordedAt returns the recorded time the record carries, if any.
func (r *Record) RecordedAt() time.Time {
	switch r.Type {
	case SourceRecord:
		return r.Source.Recorded.At
	case EntityRecord:
		return r.Entity.Recorded.At
	case StatementRecord:
		return r.Statement.Recorded.At
	case ClaimRecord:
		return r.Claim.Recorded.At
	case RetractRecord:
		return r.Retract.Recorded.At
	case RankRecord:
		return r.Rank.Recorded.At
	}
	return time.Time{}
}

// MarshalJSON writes {"type":..., payload fields...} on one line.
func (r Record) MarshalJSON() ([]byte, error) {
	var payload any
	switch r.Type {
	case SourceRecord:
		payload = r.Source
	case EntityRecord:
		payload = r.Entity
	case StatementRecord:
		payload = r.Statement
	case ClaimRecord:
		payload = r.Claim
	case RetractRecord:
		payload = r.Retract
	case RankRecord:
		payload = r.Rank
	default:
		return nil, fmt.Errorf("record: unknown type %q", r.Type)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(b)+len(r.Type)+12)
	out = append(out, `{"type":"`...)
	out = append(out, r.Type...)
	out = append(out, '"')
	if len(b) > 2 {
		out = append(out, ',')
	}
	return append(out, b[1:]...), nil
}

// DecodeRecord parses one NDJSON line. Unknown fields are refused.
func DecodeRecord(line []byte) (Record, error) {
	typ, ok := quickType(line)
	switch {
	case ok && typ == StatementRecord:
		if st, ok := decodeStatementFast(line); ok {
			return Record{Type: typ, Statement: st}, nil
		}
	case ok && typ == ClaimRecord:
		if c, ok := decodeClaimFast(line); ok {
			return Record{Type: typ, Claim: c}, nil
		}
	case ok && typ == EntityRecord:
		if e, ok := decodeEntityFast(line); ok {
			return Record{Type: typ, Entity: e}, nil
		}
	case ok && typ == SourceRecord:
		if src, ok := decodeSourceFast(line); ok {
			return Record{Type: typ, Source: src}, nil
		}
	}
	return decodeRecordJSON(line, typ, ok)
}

// decodeRecordJSON is DecodeRecord with encoding/json; typ is the line's
// type if quick (quickType found it).
func decodeRecordJSON(line []byte, typ RecordType, quick bool) (Record, error) {
	ok := quick
	if !ok {
		var head struct {
			Type RecordType `json:"type"`
		}
		if err := json.Unmarshal(line, &head); err != nil {
			return Record{}, Invalid("", RBadValue, "not a JSON object: %s", cleanJSONError(err))
		}
		typ = head.Type
	}
	r := Record{Type: typ}
	// Each payload is decoded in one strict pass through a wrapper that
	// also knows the "type" member.
	var target any
	switch typ {
	case SourceRecord:
		w := &struct {
			Type RecordType `json:"type"`
			*Source
		}{Source: &Source{}}
		r.Source, target = w.Source, w
	case EntityRecord:
		w := &struct {
			Type RecordType `json:"type"`
			*Entity
		}{Entity: &Entity{}}
		r.Entity, target = w.Entity, w
	case StatementRecord:
		w := &struct {
			Type RecordType `json:"type"`
			*Statement
		}{Statement: &Statement{}}
		r.Statement, target = w.Statement, w
	case ClaimRecord:
		w := &struct {
			Type RecordType `json:"type"`
			*Claim
		}{Claim: &Claim{}}
		r.Claim, target = w.Claim, w
	case RetractRecord:
		w := &struct {
			Type RecordType `json:"type"`
			*Retract
		}{Retract: &Retract{}}
		r.Retract, target = w.Retract, w
	case RankRecord:
		w := &struct {
			Type RecordType `json:"type"`
			*SetRank
		}{SetRank: &SetRank{}}
		r.Rank, target = w.SetRank, w
	case "":
		return Record{}, Invalid("type", RMissing, "record has no type (want source, entity, statement, claim, retract or rank)")
	default:
		return Record{}, Invalid("type", RBadValue, "unknown record type %q (want source, entity, statement, claim, retract or rank)", typ)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	err := dec.Decode(target)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON object")
	}
	if err != nil {
		var ge *Error
		if errors.As(err, &ge) {
			return Record{}, ge
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// Drop the wrapper's embedded type name ("Entity.key" → "key").
			field := te.Field
			if i := strings.IndexByte(field, '.'); i >= 0 && field[:i] != strings.ToLower(field[:i]) {
				field = field[i+1:]
			}
			return Record{}, Invalid(field, RBadValue, "wrong JSON type: want %s", te.Type)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
			return Record{}, Invalid("", RBadValue, "not a JSON object: %s", cleanJSONError(err))
		}
		msg := cleanJSONError(err)
		if f, ok := strings.CutPrefix(msg, "unknown field "); ok {
			return Record{}, Invalid(strings.Trim(f, `"`), RBadValue, "unknown field %s in %s record", f, typ)
		}
		return Record{}, Invalid("", RBadValue, "%s", msg)
	}
	return r, nil
}

// quickType reads the type of a line that starts {"type":"...", as every
// exported line does, without decoding the rest.
func quickType(line []byte) (RecordType, bool) {
	const prefix = `{"type":"`
	if !bytes.HasPrefix(line, []byte(prefix)) {
		return "", false
	}
	rest := line[len(prefix):]
	i := bytes.IndexByte(rest, '"')
	if i < 0 || bytes.IndexByte(rest[:i], '\\') >= 0 {
		return "", false
	}
	return RecordType(rest[:i]), true
}

// LineError is an error at a line of an import file.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap returns the underlying error.
func (e *LineError) Unwrap() error { return e.Err }

// ReadRecords reads every record of an NDJSON stream. Blank lines and lines
// starting with '#' or '//' are skipped. The first bad line ends reading
// with a *LineError naming file and line. Lines are decoded in parallel.
func ReadRecords(r io.Reader, file string) ([]Record, error) {
	var out []Record
	err := ScanRecords(r, file, func(rec Record) error {
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScanRecords calls fn for each record of an NDJSON stream, in order, on
// the calling goroutine; records are decoded and validated in parallel
// (one worker per GOMAXPROCS) ahead of fn. Blank lines and lines starting
// with '#' or '//' are skipped. The first bad line ends the scan with a
// *LineError naming file and line, after fn has seen every record before
// it; an error from fn ends it too, wrapped in a *LineError. Either way
// ScanRecords returns once its pending read of r has returned.
func ScanRecords(r io.Reader, file string, fn func(Record) error) error {
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *lineBatch, workers)
	order := make(chan *lineBatch, 2*workers+2) // bounds the batches in flight
	// Decoded batches hand their text back for the next batches to read
	// into: no record keeps bytes of its line, and the batches in flight
	// are few, so the scan allocates a few buffers instead of one per
	// batch (scale 1: 240 MB, a tenth of an import's allocations).
	free := make(chan []byte, cap(order)+workers+1)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1 + workers)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(order)
		readBatches(r, file, quit, free, order, work)
	}()
	for range workers {
		go func() {
			defer wg.Done()
			for b := range work {
				text := b.text
				b.decode(file)
				select {
				case free <- text[:0]:
				default:
				}
			}
		}()
	}
	err := deliver(order, fn, file)
	close(quit)
	for range order { // unblock the reader
	}
	wg.Wait()
	return err
}

// scanBatchBytes is about how many bytes of lines a decoding worker
// takes at a time.
const scanBatchBytes = 256 << 10

// lineBatch is a run of whole lines of an NDJSON stream, decoded by one
// worker.
type lineBatch struct {
	first int    // the line number of the first line
	text  []byte // the lines, with their newlines
	// readErr is the stream's read error after these lines, if any.
	readErr error

	recs []Record
	err  error         // the first bad line's *LineError
	done chan struct{} // closed once recs and err are set
}

// readBatches cuts r into batches of whole lines and sends each to order
// (in stream order) and to work, until the stream ends, fails or quit
// closes. A batch's text is a buffer from free if there is one.
func readBatches(r io.Reader, file string, quit <-chan struct{}, free <-chan []byte, order, work chan<- *lineBatch) {
	br := bufio.NewReaderSize(r, 1<<20)
	line := 1
	for {
		b := &lineBatch{first: line, done: make(chan struct{})}
		select {
		case b.text = <-free:
		default:
			b.text = make([]byte, 0, scanBatchBytes+4<<10)
		}
		var err error
		for err == nil && len(b.text) < scanBatchBytes {
			var s []byte
			s, err = br.ReadSlice('\n')
			b.text = append(b.text, s...)
			for err == bufio.ErrBufferFull { // the rest of a long line
				s, err = br.ReadSlice('\n')
				b.text = append(b.text, s...)
			}
			if err == nil {
				line++
			}
		}
		eof := err == io.EOF
		if err != nil && !eof {
			b.readErr = fmt.Errorf("%s: %w", file, err)
		}
		if len(b.text) == 0 && b.readErr == nil {
			return
		}
		select {
		case order <- b:
		case <-quit:
			return
		}
		select {
		case work <- b:
		case <-quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// decode decodes and validates the batch's records, up to its first bad
// line.
func (b *lineBatch) decode(file string) {
	defer close(b.done)
	text := b.text
	b.recs = make([]Record, 0, bytes.Count(text, []byte{'\n'})+1)
	for n := b.first; len(text) > 0; n++ {
		l := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			l, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		t := bytes.TrimSpace(l)
		if len(t) == 0 || t[0] == '#' || bytes.HasPrefix(t, []byte("//")) {
			continue
		}
		rec, err := DecodeRecord(t)
		if err == nil {
			err = rec.Validate()
		}
		if err != nil {
			b.err = &LineError{File: file, Line: n, Err: err}
			break
		}
		rec.Line = n
		b.recs = append(b.recs, rec)
	}
	b.text = nil
}

// deliver calls fn for the records of the batches in order, waiting for
// each batch's decoding, and returns the first error.
func deliver(order <-chan *lineBatch, fn func(Record) error, file string) error {
	for b := range order {
		<-b.done
		for i := range b.recs {
			if err := fn(b.recs[i]); err != nil {
				return &LineError{File: file, Line: b.recs[i].Line, Err: err}
			}
		}
		if b.err != nil {
			return b.err
		}
		if b.readErr != nil {
			return b.readErr
		}
	}
	return nil
}

// WriteRecord writes one record as a line.
func WriteRecord(w io.Writer, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// Validate runs the record's context-free checks (those that need no
// store). A record that passed once is not checked again: an import reads,
// prechecks and writes each record, and validation normalizes it (keys,
// hashes, defaults) so that a second run would change nothing.
func (r *Record) Validate() error {
	if r.valid {
		return nil
	}
	err := r.validate()
	r.valid = err == nil
	return err
}

func (r *Record) validate() error {
	switch r.Type {
	case SourceRecord:
		return r.Source.Validate()
	case EntityRecord:
		return r.Entity.Validate()
	case StatementRecord:
		return r.Statement.ValidateShape()
	case ClaimRecord:
		return r.Claim.ValidateShape()
	case RetractRecord:
		return r.Retract.Validate()
	case RankRecord:
		return r.Rank.Validate()
	}
	return Invalid("type", RBadValue, "unknown record type %q", r.Type)
}
