package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/store"
	graphql "github.com/graph-gophers/graphql-go"
)

// fragmentBomb spreads a fragment 2^n times over: cheap to send,
// expensive to run.
func fragmentBomb(n int) string {
	var b strings.Builder
	b.WriteString("query { ...F" + fmt.Sprint(n) + " }\n")
	b.WriteString("fragment F0 on Query { sources(first: 2) { nodes { key } } }\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "fragment F%d on Query { a: sources { nodes { key } } ...F%d ...F%d }\n", i, i-1, i-1)
	}
	return b.String()
}

// costTests are costed against chipgraph's own schema. Each field costs
// one per time it may resolve; a connection's selection resolves `first`
// times.
var costTests = []struct {
	name  string
	query string
	vars  map[string]any
	want  float64
}{
	{"Leaves", `{ predicates { name description } }`, nil, 3},
	// sources: 1 + 50 × (nodes 1 + key 1)
	{"SchemaDefault", `{ sources { nodes { key } } }`, nil, 101},
	{"Literal", `{ sources(first: 7) { nodes { key } } }`, nil, 15},
	{"VariableDefault", `query($n: Int = 7) { sources(first: $n) { nodes { key } } }`, nil, 15},
	{"Variable", `query($n: Int = 7) { sources(first: $n) { nodes { key } } }`, map[string]any{"n": 20.0}, 41},
	// company 1 + (key 1 + chips 1 + 100 × (nodes 1 + key 1 + manufacturers 1 + 3 × (nodes 1 + key 1)))
	{"TwoHops", `{ company(key: "aws") { key chips(first: 100) { nodes { key ... on Chip { manufacturers(first: 3) { nodes { key } } } } } } }`, nil, 1 + 1 + 1 + 100*(1+1+1+3*2)},
	{"NamedFragment", `query { company(key: "aws") { ...C } } fragment C on Company { chips(first: 10) { totalCount } }`, nil, 1 + 1 + 10},
	// neighborhood: limit × depth items
	{"Neighborhood", `{ neighborhood(key: "aws", depth: 3, limit: 100) { nodes { depth } } }`, nil, 1 + 300*2},
	// paths: first × maxHops (defaults 10 and 3)
	{"Paths", `{ paths(from: "a", to: "b") { length hops { forward } } }`, nil, 1 + 30*(1+2)},
	{"IDs", `{ nodes(ids: ["a", "b", "c"]) { id } }`, nil, 1 + 3},
	{"OperationName", `query A { sources(first: 1) { totalCount } } query B { sources(first: 9) { totalCount } }`, map[string]any{"op": "B"}, 10},
	{"Bomb", fragmentBomb(40), nil, 106*math.Pow(2, 40) - 101}, // F(n) = 101 + 2 F(n-1), F(0) = 5
	{"Comments", "# {{{\n{ sources(first: 3, # 9\n) { nodes { key } } }", nil, 7},
}

func TestCost(t *testing.T) {
	sch := graphql.MustParseSchema(schema.SDL(), nil)
	c := newCoster(sch)
	for _, tc := range costTests {
		t.Run(tc.name, func(t *testing.T) {
			op, _ := tc.vars["op"].(string)
			got, steps, err := c.walk(tc.query, op, tc.vars)
			if err != nil {
				t.Fatalf("cost: %v", err)
			}
			// Linear in the document, however often its fragments spread.
			if steps > len(tc.query) {
				t.Errorf("costing visited %d selections in a document of %d bytes", steps, len(tc.query))
			}
			if got != tc.want {
				t.Errorf("cost(%s) = %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	for _, bad := range []string{`{ a(`, `query { a } fragment`, `{ a: }`, strings.Repeat("[", 100)} {
		if _, err := c.cost("{ a(x: "+bad+") }", "", nil); err == nil {
			t.Errorf("cost of %q: no error", bad)
		}
	}
}

var (
	costStoreOnce sync.Once
	costSchema    *schema.Schema
)

// chipgraphSchema returns the real schema over the starter data.
func chipgraphSchema(t *testing.T) *schema.Schema {
	t.Helper()
	costStoreOnce.Do(func() {
		st, err := store.Open("", &store.Options{InMemory: true})
		if err != nil {
			panic(err)
		}
		recs, err := starter.Records()
		if err != nil {
			panic(err)
		}
		if _, err := st.Import(context.Background(), "starter", recs, nil); err != nil {
			panic(err)
		}
		if costSchema, err = schema.New(st, schema.Options{Logger: log.New(io.Discard, "", 0)}); err != nil {
			panic(err)
		}
	})
	return costSchema
}

type costResponse struct {
	Data   json.RawMessage
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func postQuery(t *testing.T, h http.Handler, body string) (int, costResponse) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/graphql-response+json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var res costResponse
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("body %.200q: %v", w.Body.String(), err)
	}
	return w.Code, res
}

func jsonQuery(q string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	return string(b)
}

func TestCostRefused(t *testing.T) {
	s := NewServer()
	s.Schema = chipgraphSchema(t)
	s.MaxCost = 2000
	s.Logger = log.New(io.Discard, "", 0)
	h := s.Handler()

	twoHop := `query($n: Int!) { company(key: "aws") { chips(first: $n) { nodes { key ... on Chip { manufacturers(first: 3) { nodes { key } } } } } } }`
	status, res := postQuery(t, h, jsonQuery(twoHop, map[string]any{"n": 100}))
	if status != 200 || len(res.Errors) > 0 || len(res.Data) == 0 {
		t.Fatalf("cost 902: status %d, errors %+v", status, res.Errors)
	}
	status, res = postQuery(t, h, jsonQuery(twoHop, map[string]any{"n": 500}))
	if status != 400 || len(res.Data) != 0 || len(res.Errors) != 1 {
		t.Fatalf("cost 4502: status %d, %+v", status, res)
	}
	e := res.Errors[0]
	if e.Extensions["code"] != graph.ETOOCOMPLEX || e.Extensions["limit"] != 2000.0 || !strings.Contains(e.Message, "limit of 2000") {
		t.Errorf("refusal %+v, want QUERY_TOO_COMPLEX naming the limit 2000", e)
	}
	if e.Extensions["cost"] != 4502.0 {
		t.Errorf("cost %v, want over the limit", e.Extensions["cost"])
	}
}

// TestHostileQueriesRefusedCheaply sends a 1,000-deep query, a 1 MB query
// of many expensive fields, a fragment bomb and a body over 1 MB: each is
// refused before execution (an error found executing would come with
// status 200 and data), and costing is linear in the document (TestCost).
func TestHostileQueriesRefusedCheaply(t *testing.T) {
	s := NewServer()
	s.Schema = chipgraphSchema(t)
	s.Logger = log.New(io.Discard, "", 0)
	h := s.Handler()

	deep := strings.Repeat("{ a ", 999) + "{ b" + strings.Repeat(" }", 1000)
	var wide strings.Builder
	wide.WriteString("{")
	for i := 0; wide.Len() < DefaultMaxBodyBytes-200; i++ {
		fmt.Fprintf(&wide, " a%d: sources(first: 500) { nodes { key } }", i)
	}
	wide.WriteString(" }")
	for _, tc := range []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"ThousandDeep", jsonQuery(deep, nil), 400, graph.ETOOCOMPLEX},
		{"MegabyteWide", jsonQuery(wide.String(), nil), 400, graph.ETOOCOMPLEX},
		{"FragmentBomb", jsonQuery(fragmentBomb(60), nil), 400, graph.ETOOCOMPLEX},
		{"OverOneMegabyte", jsonQuery("{ predicates { name } }"+strings.Repeat(" ", DefaultMaxBodyBytes), nil), 413, "REQUEST_TOO_LARGE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.body) < 900 && tc.name != "ThousandDeep" {
				t.Fatalf("body of %d bytes", len(tc.body))
			}
			status, res := postQuery(t, h, tc.body)
			if status != tc.status || len(res.Errors) == 0 || res.Errors[0].Extensions["code"] != tc.code {
				t.Fatalf("status %d, errors %+v; want %d %s", status, res.Errors, tc.status, tc.code)
			}
		})
	}
}

// TestCostDocumentCache checks that a parsed document is reused with other
// variables (the cost follows them) and that the cache stays bounded.
func TestCostDocumentCache(t *testing.T) {
	c := newCoster(graphql.MustParseSchema(schema.SDL(), nil))
	const doc = `query($n: Int = 7) { sources(first: $n) { nodes { key } } }`
	for _, tc := range []struct {
		vars map[string]any
		want float64
	}{{nil, 15}, {map[string]any{"n": 20.0}, 41}, {nil, 15}, {map[string]any{"n": 1.0}, 3}} {
		got, err := c.cost(doc, "", tc.vars)
		if err != nil || got != tc.want {
			t.Errorf("cost with %v = %v, %v; want %v", tc.vars, got, err, tc.want)
		}
	}
	if got := len(c.docs); got != 1 {
		t.Errorf("%d documents cached, want 1", got)
	}
	for i := range 3 * maxCachedCostDocs {
		if _, err := c.cost(fmt.Sprintf(`{ sources(first: %d) { totalCount } }`, i), "", nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := len(c.docs); got > maxCachedCostDocs {
		t.Errorf("%d documents cached, want at most %d", got, maxCachedCostDocs)
	}
	if _, err := c.cost(strings.Repeat(" ", maxCachedCostDocLen)+doc, "", nil); err != nil {
		t.Fatal(err)
	}
	for src := range c.docs {
		if len(src) > maxCachedCostDocLen {
			t.Errorf("a document of %d bytes was cached (limit %d)", len(src), maxCachedCostDocLen)
		}
	}
}

// TestCostConstant checks that a cost reading no variable is kept per
// operation, and one reading a variable is not.
func TestCostConstant(t *testing.T) {
	c := newCoster(graphql.MustParseSchema(schema.SDL(), nil))
	const doc = `query A($k: String!) { entity(key: $k) { statements(first: 7) { nodes { key } } } }
query B($n: Int) { sources(first: $n) { nodes { key } } }`
	for _, tc := range []struct {
		op       string
		vars     map[string]any
		want     float64
		constant bool
	}{
		{"A", map[string]any{"k": "a"}, 16, true},
		{"A", map[string]any{"k": "b"}, 16, true},
		{"B", map[string]any{"n": 2.0}, 5, false},
		{"B", map[string]any{"n": 3.0}, 7, false},
	} {
		got, err := c.cost(doc, tc.op, tc.vars)
		if err != nil || got != tc.want {
			t.Errorf("cost of %s with %v = %v, %v; want %v", tc.op, tc.vars, got, err, tc.want)
		}
		d := c.docs[doc]
		d.mu.Lock()
		_, kept := d.constCost[tc.op]
		d.mu.Unlock()
		if kept != tc.constant {
			t.Errorf("cost of %s kept = %v, want %v", tc.op, kept, tc.constant)
		}
	}
}
