package compiled_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/schema/compiled"
	graphql "github.com/graph-gophers/graphql-go"
)

// A small schema with what chipgraph's uses and more: interfaces (one
// implementing another), a union, enums, lists of lists, custom scalars,
// input objects with defaults, struct-field resolvers, and resolvers that
// fail, panic or return null where the schema forbids it.
const testSDL = `
schema { query: Query mutation: Mutation }
scalar Time
enum Color { RED GREEN BLUE }
interface Named { name: String! }
interface Pet implements Named { name: String! legs: Int! }
type Dog implements Pet & Named { name: String! legs: Int! barks: Boolean! color: Color owner: Person }
type Cat implements Pet & Named { name: String! legs: Int! lives(extra: Int = 0): Int! }
type Person implements Named { name: String! pets(first: Int = 10): [Pet!]! age: Int! friends: [Person!]! mood: Color! badMood: Color! }
union Thing = Dog | Cat | Box
type Box { id: ID! grid: [[Int!]!]! label: String when: Time weight: Float color: Color }
input Filter { colors: [Color!] minLegs: Int = 0 name: String inner: Filter }
type Query {
  pets(filter: Filter, first: Int = 10): [Pet!]!
  pet(name: String!): Pet
  named: [Named!]!
  things: [Thing]!
  box: Box!
  echo(s: String, i: Int, f: Float, b: Boolean, id: ID, c: Color, t: Time, l: [String!], r: String! = "dflt"): String!
  fail: String
  failNonNull: String!
  nilNonNull: Box!
  panics: String
  badEnum: Color
  text(which: Int!): String!
}
type Mutation { noop: Boolean }
`

type query struct{}

type pet struct {
	Name   string
	Legs   int32
	dog    bool
	color  *string
	person *person
}

type person struct{ name string }

type box struct {
	ID     graphql.ID
	Grid   [][]int32
	Label  *string
	When   *graphql.Time
	Weight *float64
	Color  *string
}

type filter struct {
	Colors  *[]string
	MinLegs int32
	Name    *string
	Inner   *filter
}

func str(s string) *string { return &s }

var (
	rex   = &pet{Name: "Rex", Legs: 4, dog: true, color: str("RED"), person: &person{"Ann"}}
	tom   = &pet{Name: "Tom <cat> & co", Legs: 4}
	tweet = &pet{Name: "Tweety \"bird\"", Legs: 2, dog: true}
	pets  = []*pet{rex, tom, tweet}
)

func (query) Pets(args struct {
	Filter *filter
	First  int32
}) []*pet {
	var out []*pet
	for _, p := range pets {
		if f := args.Filter; f != nil {
			if p.Legs < f.MinLegs || (f.Name != nil && !strings.Contains(p.Name, *f.Name)) {
				continue
			}
			if f.Colors != nil {
				ok := false
				for _, c := range *f.Colors {
					ok = ok || (p.color != nil && *p.color == c)
				}
				if !ok {
					continue
				}
			}
		}
		if int32(len(out)) < args.First {
			out = append(out, p)
		}
	}
	return out
}

func (query) Pet(ctx context.Context, args struct{ Name string }) (*pet, error) {
	for _, p := range pets {
		if p.Name == args.Name {
			return p, nil
		}
	}
	return nil, nil
}

func (query) Named() []*named {
	return []*named{{p: rex}, {o: &person{"Bob"}}, {p: tom}}
}

func (query) Things() []*thing {
	return []*thing{{p: rex}, nil, {b: testBox()}, {p: tom}}
}

func testBox() *box {
	w := 2.5
	return &box{ID: "b-1", Grid: [][]int32{{1, 2}, {}, {3}}, Label: str("<label>"),
		When: &graphql.Time{Time: time.Date(2025, 12, 2, 10, 0, 0, 0, time.UTC)}, Weight: &w, Color: str("BLUE")}
}

func (query) Box() *box { return testBox() }

func (query) Echo(args struct {
	S  *string
	I  *int32
	F  *float64
	B  *bool
	ID *graphql.ID
	C  *string
	T  *graphql.Time
	L  *[]string
	R  string
}) string {
	var b strings.Builder
	if args.S != nil {
		fmt.Fprintf(&b, "s=%s ", *args.S)
	}
	if args.I != nil {
		fmt.Fprintf(&b, "i=%d ", *args.I)
	}
	if args.F != nil {
		fmt.Fprintf(&b, "f=%g ", *args.F)
	}
	if args.B != nil {
		fmt.Fprintf(&b, "b=%t ", *args.B)
	}
	if args.ID != nil {
		fmt.Fprintf(&b, "id=%s ", *args.ID)
	}
	if args.C != nil {
		fmt.Fprintf(&b, "c=%s ", *args.C)
	}
	if args.T != nil {
		fmt.Fprintf(&b, "t=%s ", args.T.Format(time.RFC3339))
	}
	if args.L != nil {
		fmt.Fprintf(&b, "l=%q ", *args.L)
	}
	fmt.Fprintf(&b, "r=%s", args.R)
	return b.String()
}

func (query) Fail() (*string, error)       { return nil, errors.New("it failed") }
func (query) FailNonNull() (string, error) { return "", errors.New("it failed") }
func (query) NilNonNull() *box             { return nil }
func (query) Panics() *string              { panic("boom") }
func (query) BadEnum() *string             { return str("PURPLE") }
func (query) Text(args struct{ Which int32 }) string {
	return []string{"plain", "<b>&amp;</b>", "naïve – “quotes”", "tab\there\nline", "\u2028sep", "bad\xffutf8"}[args.Which]
}

func (p *pet) ToDog() (*pet, bool)                    { return p, p.dog }
func (p *pet) ToCat() (*pet, bool)                    { return p, !p.dog }
func (p *pet) Barks() bool                            { return p.dog }
func (p *pet) Color() *string                         { return p.color }
func (p *pet) Owner() *person                         { return p.person }
func (p *pet) Lives(args struct{ Extra int32 }) int32 { return 9 + args.Extra }

func (p *person) Name() string { return p.name }

// Age, Friends, Mood and BadMood are called without reflection (direct.go).
func (p *person) Age() int32 { return int32(len(p.name)) }
func (p *person) Friends() []*person {
	if p.name == "Bob" {
		return nil
	}
	return []*person{{"Bob"}, {"Cy"}}
}
func (p *person) Mood() string    { return "GREEN" }
func (p *person) BadMood() string { return "GREY" }
func (p *person) Pets(args struct{ First int32 }) []*pet {
	return pets[:min(int(args.First), len(pets))]
}

type named struct {
	p *pet
	o *person
}

func (n *named) Name() string {
	if n.p != nil {
		return n.p.Name
	}
	return n.o.name
}
func (n *named) ToDog() (*pet, bool)       { return n.p, n.p != nil && n.p.dog }
func (n *named) ToCat() (*pet, bool)       { return n.p, n.p != nil && !n.p.dog }
func (n *named) ToPerson() (*person, bool) { return n.o, n.o != nil }

type thing struct {
	p *pet
	b *box
}

func (t *thing) ToDog() (*pet, bool) { return t.p, t.p != nil && t.p.dog }
func (t *thing) ToCat() (*pet, bool) { return t.p, t.p != nil && !t.p.dog }
func (t *thing) ToBox() (*box, bool) { return t.b, t.b != nil }

func (mutation) Noop() *bool { return nil }

type mutation struct{}

type testRoot struct {
	query
	mutation
}

func newTestSchema(t *testing.T) (*graphql.Schema, *compiled.Engine) {
	t.Helper()
	gql, err := graphql.ParseSchema(testSDL, &testRoot{},
		graphql.UseFieldResolvers(),
		graphql.MaxDepth(12),
		graphql.Logger(quietLogger{}),
	)
	if err != nil {
		t.Fatal(err)
	}
	return gql, compiled.New(gql, &testRoot{}, compiled.Options{FieldResolvers: true})
}

type quietLogger struct{}

func (quietLogger) LogPanic(context.Context, any) {}

var _ = log.New(io.Discard, "", 0)

// TestEngineMatchesGraphQLGo executes each request with graphql-go and
// with the Engine: the Engine must answer the requests it should, with
// graphql-go's bytes, and leave the others (which graphql-go answers with
// errors) alone.
func TestEngineMatchesGraphQLGo(t *testing.T) {
	gql, eng := newTestSchema(t)
	for _, tc := range []struct {
		name, doc, op string
		vars          map[string]any
		answered      bool
		unsupported   bool // left although graphql-go answers without errors
	}{
		{name: "scalars", doc: `{ box { id grid label when weight color } }`, answered: true},
		{name: "aliases", doc: `{ a: box { x: id } b: box { id } }`, answered: true},
		{name: "merged", doc: `{ box { id } box { label id } }`, answered: true},
		{name: "merged sub-selections", doc: `{ pets { name } pets { legs name } }`, answered: true},
		{name: "interface fields", doc: `{ pets { name legs } }`, answered: true},
		{name: "typename", doc: `{ __typename pets { __typename name } box { __typename } }`, answered: true},
		{name: "type conditions", doc: `{ pets { name ... on Dog { barks color owner { name pets(first: 1) { name } } } ... on Cat { lives(extra: 1) } } }`, answered: true},
		{name: "fragments", doc: `query { pets { ...P } } fragment P on Pet { name ... on Dog { barks } ...C } fragment C on Cat { lives }`, answered: true},
		{name: "interface fragment on object", doc: `{ pets { ... on Dog { ... on Named { name } ... on Pet { legs ... on Cat { lives } } } } }`, answered: true},
		{name: "interface of interface", doc: `{ named { name __typename ... on Pet { legs } ... on Person { pets { name } } } }`, answered: true},
		{name: "union", doc: `{ things { __typename ... on Box { id } ... on Dog { name barks } ... on Pet { legs } } }`, answered: true},
		{name: "union without typename", doc: `{ things { ... on Box { grid } } }`, answered: true},
		{name: "untyped inline fragment", doc: `{ box { ... { id } } }`, answered: true},
		{name: "skip and include", doc: `{ box { id @skip(if: true) label @include(if: false) when @include(if: true) weight @skip(if: false) } }`, answered: true},
		{name: "skipped fragment", doc: `{ pets { name ... on Dog @skip(if: true) { barks } } }`, answered: true},
		{name: "variables", doc: `query Q($s: String, $i: Int, $f: Float, $b: Boolean, $id: ID, $c: Color, $t: Time, $l: [String!]) { echo(s: $s, i: $i, f: $f, b: $b, id: $id, c: $c, t: $t, l: $l) }`,
			vars: map[string]any{"s": "x", "i": float64(3), "f": float64(1.5), "b": true, "id": "i-1", "c": "GREEN", "t": "2025-01-02T03:04:05Z", "l": []any{"a", "b"}}, answered: true},
		{name: "variable into a list", doc: `query Q($l: [String!]) { echo(l: $l) }`, vars: map[string]any{"l": "one"}, answered: true},
		{name: "null variables", doc: `query Q($s: String, $i: Int) { echo(s: $s, i: $i) }`, vars: map[string]any{"s": nil}, answered: true},
		{name: "literal arguments", doc: `{ echo(s: "q\"\\\n\u00e9", i: -7, f: 2e3, b: false, id: "x", c: RED, t: "2025-01-02T03:04:05Z", l: ["a"], r: "given") }`, answered: true},
		{name: "schema default", doc: `{ echo }`, answered: true},
		{name: "variable defaults", doc: `query Q($first: Int = 2, $c: [Color!] = [RED]) { pets(first: $first, filter: {colors: $c}) { name } }`, answered: true},
		{name: "input object variable", doc: `query Q($f: Filter) { pets(filter: $f) { name } }`, vars: map[string]any{"f": map[string]any{"minLegs": float64(3), "inner": map[string]any{"name": "x"}}}, answered: true},
		{name: "input object literal", doc: `{ pets(filter: {name: "T", minLegs: 1}) { name } }`, answered: true},
		{name: "operation name", doc: `query A { box { id } } query B { box { label } }`, op: "B", answered: true},
		{name: "context and error resolver", doc: `query($n: String!) { pet(name: $n) { name } }`, vars: map[string]any{"n": "Tom <cat> & co"}, answered: true},
		{name: "null object", doc: `{ pet(name: "nobody") { name } }`, answered: true},
		{name: "escaped strings", doc: `{ a: text(which: 0) b: text(which: 1) c: text(which: 2) d: text(which: 3) e: text(which: 4) f: text(which: 5) }`, answered: true},
		{name: "direct calls", doc: `{ pets { ... on Dog { barks color owner { name age mood friends { name age friends { name } } } } } }`, answered: true},
		{name: "comments and commas", doc: "# c\n{ box { id, label } # trailing\n}", answered: true},

		{name: "resolver error", doc: `{ fail box { id } }`},
		{name: "error in non-null", doc: `{ failNonNull }`},
		{name: "nil in non-null", doc: `{ nilNonNull { id } }`},
		{name: "panic", doc: `{ panics }`},
		{name: "invalid enum value", doc: `{ badEnum }`},
		{name: "invalid enum value from a direct call", doc: `{ pets { ... on Dog { owner { badMood } } } }`},
		{name: "mutation", doc: `mutation { noop }`, unsupported: true},
		{name: "introspection", doc: `{ __schema { queryType { name } } }`, unsupported: true},
		{name: "type introspection", doc: `{ __type(name: "Box") { name } }`, unsupported: true},
		{name: "validation error", doc: `{ box { nope } }`},
		{name: "syntax error", doc: `{ box { id }`},
		{name: "too deep", doc: "{ pets { name" + strings.Repeat(" ... on Dog { owner { pets { name", 6) + strings.Repeat(" } } }", 6) + " } }"},
		{name: "missing variable", doc: `query($n: String!) { pet(name: $n) { name } }`},
		{name: "variable of the wrong type", doc: `query($n: String!) { pet(name: $n) { name } }`, vars: map[string]any{"n": float64(1)}},
		{name: "unknown enum variable", doc: `query($c: Color) { echo(c: $c) }`, vars: map[string]any{"c": "PURPLE"}},
		{name: "unknown input field", doc: `query Q($f: Filter) { pets(filter: $f) { name } }`, vars: map[string]any{"f": map[string]any{"nope": 1}}},
		{name: "bad custom scalar", doc: `query($t: Time) { echo(t: $t) }`, vars: map[string]any{"t": "yesterday"}},
		{name: "non-integer Int", doc: `query($i: Int) { echo(i: $i) }`, vars: map[string]any{"i": 1.5}},
		{name: "variable condition", doc: `query($b: Boolean!) { box { id @include(if: $b) } }`, vars: map[string]any{"b": true}, answered: true},
		{name: "variable condition false", doc: `query($b: Boolean!) { box { id @include(if: $b) } }`, vars: map[string]any{"b": false}, answered: true},
		{name: "variable conditions in fragments", doc: `query($s: Boolean = true, $i: Boolean!) { pets { ...F @include(if: $i) name @skip(if: $s) } } fragment F on Pet { legs @skip(if: $s) ... on Dog @include(if: $i) { barks } }`,
			vars: map[string]any{"i": true}, answered: true},
		{name: "variable conditions overridden", doc: `query($s: Boolean = true, $i: Boolean!) { pets { ...F @include(if: $i) name @skip(if: $s) } } fragment F on Pet { legs @skip(if: $s) ... on Dog @include(if: $i) { barks } }`,
			vars: map[string]any{"i": true, "s": false}, answered: true},
		{name: "null condition", doc: `query($b: Boolean) { box { id @include(if: $b) } }`, vars: map[string]any{"b": nil}},
		{name: "block string", doc: `{ echo(s: """block""") }`, unsupported: true},
		{name: "two anonymous operations", doc: `{ box { id } } { box { label } }`},
		{name: "unknown operation", doc: `query A { box { id } }`, op: "B"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			data, ok := eng.Exec(ctx, tc.doc, tc.op, tc.vars)
			ref := gql.Exec(ctx, tc.doc, tc.op, copyVars(tc.vars))
			if ok != tc.answered {
				t.Fatalf("answered = %v, want %v (%v; graphql-go: %s %v)", ok, tc.answered, eng.Explain(ctx, tc.doc, tc.op, tc.vars), ref.Data, ref.Errors)
			}
			if !ok {
				err := eng.Explain(ctx, tc.doc, tc.op, tc.vars)
				if got := compiled.IsUnsupported(err); got != tc.unsupported {
					t.Errorf("left to graphql-go because %v: unsupported = %v, want %v", err, got, tc.unsupported)
				}
				if !tc.unsupported && len(ref.Errors) == 0 {
					t.Errorf("left to graphql-go, which answered without errors: %s", ref.Data)
				}
				return
			}
			if len(ref.Errors) > 0 {
				t.Fatalf("graphql-go errors %v for a request the Engine answered with %s", ref.Errors, data)
			}
			if !bytes.Equal(data, ref.Data) {
				t.Errorf("data differs\ngot:  %s\nwant: %s", data, ref.Data)
			}
			// The second execution runs from the cached plan.
			again, ok := eng.Exec(ctx, tc.doc, tc.op, tc.vars)
			if !ok || !bytes.Equal(again, data) {
				t.Errorf("second execution: %v %s, want %s", ok, again, data)
			}
		})
	}
}

func copyVars(v map[string]any) map[string]any {
	if v == nil {
		return nil
	}
	out := make(map[string]any, len(v))
	for k, x := range v {
		out[k] = x
	}
	return out
}

// TestEngineCancelled leaves a request whose context is done to
// graphql-go, which reports it.
func TestEngineCancelled(t *testing.T) {
	_, eng := newTestSchema(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if data, ok := eng.Exec(ctx, `query($n: String!) { pet(name: $n) { name } }`, "", map[string]any{"n": "Rex"}); ok {
		t.Errorf("Exec on a cancelled context answered %s", data)
	}
}

// TestEngineStats counts what was answered and what was left.
func TestEngineStats(t *testing.T) {
	_, eng := newTestSchema(t)
	eng.Exec(context.Background(), `{ box { id } }`, "", nil)
	eng.Exec(context.Background(), `{ box { id } }`, "", nil)
	eng.Exec(context.Background(), `{ fail }`, "", nil)
	if a, l := eng.Stats(); a != 2 || l != 1 {
		t.Errorf("Stats() = %d, %d; want 2, 1", a, l)
	}
}

// TestEngineDocumentCache bounds the compiled documents.
func TestEngineDocumentCache(t *testing.T) {
	gql, _ := newTestSchema(t)
	eng := compiled.New(gql, &testRoot{}, compiled.Options{FieldResolvers: true, MaxDocuments: 2, MaxDocumentBytes: 40})
	for i := range 5 {
		doc := fmt.Sprintf(`{ a%d: box { id } }`, i)
		if _, ok := eng.Exec(context.Background(), doc, "", nil); !ok {
			t.Errorf("%s not answered", doc)
		}
	}
	long := `{ box { id label when weight color grid } }`
	if _, ok := eng.Exec(context.Background(), long, "", nil); ok {
		t.Errorf("a document of %d bytes was answered; the limit is 40", len(long))
	}
}

// TestEngineRelease writes answers into buffers given back by Release:
// each is graphql-go's, whether the buffer was large enough or not, and
// an answer kept (not released) is not written over.
func TestEngineRelease(t *testing.T) {
	gql, eng := newTestSchema(t)
	ctx := context.Background()
	small, large := `{ box { id } }`, `{ pets { name legs ... on Dog { barks color } } things { __typename } }`
	kept, ok := eng.Exec(ctx, large, "", nil)
	if !ok {
		t.Fatalf("%s not answered", large)
	}
	keptCopy := bytes.Clone(kept)
	for i, doc := range []string{small, large, small, small, large, large} {
		got, ok := eng.Exec(ctx, doc, "", nil)
		if want := gql.Exec(ctx, doc, "", nil); !ok || !bytes.Equal(got, want.Data) {
			t.Fatalf("request %d, %s: %v %s, want %s", i, doc, ok, got, want.Data)
		}
		eng.Release(got)
	}
	if !bytes.Equal(kept, keptCopy) {
		t.Errorf("an answer not released changed: %s, was %s", kept, keptCopy)
	}
}

// TestEngineConcurrent compiles and executes from several goroutines at
// once (run with -race): plans, condition sets and answer sizes are
// shared.
func TestEngineConcurrent(t *testing.T) {
	gql, eng := newTestSchema(t)
	docs := []string{
		`{ pets { name ... on Dog { barks } } }`,
		`query($b: Boolean!) { box { id @include(if: $b) label } }`,
		`{ things { __typename ... on Box { id } } }`,
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				doc := docs[(g+i)%len(docs)]
				vars := map[string]any{"b": i%2 == 0}
				got, ok := eng.Exec(context.Background(), doc, "", vars)
				want := gql.Exec(context.Background(), doc, "", copyVars(vars))
				if !ok || !bytes.Equal(got, want.Data) {
					t.Errorf("%s %v: %v %s, want %s", doc, vars, ok, got, want.Data)
					return
				}
				if i%3 != 0 {
					eng.Release(got) // later answers are written into it
				}
			}
		})
	}
	wg.Wait()
}
