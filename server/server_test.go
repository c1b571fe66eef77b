package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/schema"
	"github.com/chipgraph/chipgraph/server"
	graphql "github.com/graph-gophers/graphql-go"
	gqllog "github.com/graph-gophers/graphql-go/log"
)

const testSDL = `
schema { query: Query mutation: Mutation }
type Query {
	hello: String!
	echo(s: String!): String
	boom: String
	invalid: String
	secret: String
	panic: String
	slow: String
	wait: String
}
type Mutation {
	set(v: String!): String
}
`

// codedError is a resolver error carrying its own extensions.code.
type codedError struct{ code, msg string }

func (e codedError) Error() string              { return e.msg }
func (e codedError) Extensions() map[string]any { return map[string]any{"code": e.code} }

// resolver is the test schema's root. started and release let a test hold a
// request in flight (field wait).
type resolver struct {
	started chan struct{}
	release chan struct{}
}

func str(s string) *string { return &s }

func (r *resolver) Hello() string { return "world" }

func (r *resolver) Echo(args struct{ S string }) *string { return &args.S }

func (r *resolver) Boom() (*string, error) { return nil, codedError{graph.EINVALID, "boom"} }

func (r *resolver) Invalid() (*string, error) {
	return nil, graph.Invalid("s", graph.RBadValue, "s is bad")
}

func (r *resolver) Secret() (*string, error) {
	return nil, errors.New("open /var/lib/secret: disk on fire")
}

func (r *resolver) Panic() (*string, error) { panic("secret panic detail") }

func (r *resolver) Slow(ctx context.Context) (*string, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (r *resolver) Wait(ctx context.Context) (*string, error) {
	close(r.started)
	select {
	case <-r.release:
		return str("done"), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (r *resolver) Set(ctx context.Context, args struct{ V string }) (*string, error) {
	if _, ok := schema.Writer(ctx); ok {
		return &args.V, nil
	}
	if schema.ReadOnly(ctx) {
		return nil, graph.Errorf(graph.EFORBIDDEN, "this server is read-only")
	}
	return nil, codedError{graph.EUNAUTHORIZED, "a write token is required"}
}

// MustSchema returns the test schema with r as its root resolver.
func MustSchema(tb testing.TB, r *resolver) *graphql.Schema {
	tb.Helper()
	if r == nil {
		r = &resolver{}
	}
	quiet := graphql.Logger(gqllog.LoggerFunc(func(context.Context, any) {}))
	s, err := graphql.ParseSchema(testSDL, r, quiet)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// NewTestServer returns a server over the test schema whose log goes to buf.
func NewTestServer(tb testing.TB, buf *syncBuffer) *server.Server {
	tb.Helper()
	s := server.NewServer()
	s.Schema = MustSchema(tb, nil)
	if buf == nil {
		buf = &syncBuffer{}
	}
	s.Logger = log.New(buf, "", 0)
	return s
}

// syncBuffer is a bytes.Buffer safe for a logger shared by goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// gqlResponse is a decoded GraphQL response.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r gqlResponse) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// request describes one HTTP request to a handler.
type request struct {
	method string
	target string
	header map[string]string
	body   string
}

func serve(h http.Handler, rq request) *httptest.ResponseRecorder {
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	r := httptest.NewRequest(rq.method, rq.target, body)
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func decode(t *testing.T, w *httptest.ResponseRecorder) gqlResponse {
	t.Helper()
	var res gqlResponse
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("body %q: %v", w.Body.String(), err)
	}
	return res
}

const (
	gr   = "application/graphql-response+json"
	js   = "application/json"
	both = "application/graphql-response+json, application/json;q=0.9"
)

func post(accept, body string) request {
	h := map[string]string{"Content-Type": "application/json"}
	if accept != "" {
		h["Accept"] = accept
	}
	return request{method: http.MethodPost, target: "/graphql", header: h, body: body}
}

func get(accept string, params ...string) request {
	v := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	h := map[string]string{}
	if accept != "" {
		h["Accept"] = accept
	}
	return request{method: http.MethodGet, target: "/graphql?" + v.Encode(), header: h}
}

func query(q string) string {
	b, _ := json.Marshal(map[string]string{"query": q})
	return string(b)
}

// graphqlTests cover the GraphQL-over-HTTP rules: methods, media types,
// request shapes and how errors become status codes and extensions.code.
var graphqlTests = []struct {
	name       string
	req        request
	wantStatus int
	wantType   string // media type of the response
	wantCode   string // extensions.code of the first error; "" for none
	wantData   string // exact data JSON; "-" when data must be absent
	wantHeader [2]string
}{
	// Media types.
	{"POST/NoAccept", post("", `{"query":"{ hello }"}`), 200, js, "", `{"hello":"world"}`, [2]string{}},
	{"POST/AcceptJSON", post(js, `{"query":"{ hello }"}`), 200, js, "", `{"hello":"world"}`, [2]string{}},
	{"POST/AcceptGraphQLResponse", post(gr, `{"query":"{ hello }"}`), 200, gr, "", `{"hello":"world"}`, [2]string{}},
	{"POST/AcceptBoth", post(both, `{"query":"{ hello }"}`), 200, gr, "", `{"hello":"world"}`, [2]string{}},
	{"POST/AcceptJSONPreferred", post("application/json, application/graphql-response+json;q=0.5", `{"query":"{ hello }"}`), 200, js, "", `{"hello":"world"}`, [2]string{}},
	{"POST/AcceptAny", post("*/*", `{"query":"{ hello }"}`), 200, js, "", `{"hello":"world"}`, [2]string{}},
	{"POST/AcceptJSONRefused", post("application/json;q=0, */*", `{"query":"{ hello }"}`), 200, gr, "", `{"hello":"world"}`, [2]string{}},
	{"POST/NotAcceptable", post("text/html", `{"query":"{ hello }"}`), 406, js, "NOT_ACCEPTABLE", "-", [2]string{}},
	{"POST/CharsetUTF8", request{"POST", "/graphql", map[string]string{"Content-Type": "application/json; charset=UTF-8"}, `{"query":"{ echo(s: \"Run🏃\") }"}`}, 200, js, "", `{"echo":"Run🏃"}`, [2]string{}},

	// GET.
	{"GET/Query", get("", "query", "{ hello }"), 200, js, "", `{"hello":"world"}`, [2]string{}},
	{"GET/Variables", get(gr, "query", "query Q($s: String!) { echo(s: $s) }", "variables", `{"s":"hi"}`), 200, gr, "", `{"echo":"hi"}`, [2]string{}},
	{"GET/Extensions", get(gr, "query", "{ hello }", "extensions", `{"a":1}`), 200, gr, "", `{"hello":"world"}`, [2]string{}},
	{"GET/Mutation", get(gr, "query", `mutation { set(v: "x") }`), 405, gr, "METHOD_NOT_ALLOWED", "-", [2]string{"Allow", "POST"}},
	{"GET/MutationJSON", get(js, "query", `mutation { set(v: "x") }`), 405, js, "METHOD_NOT_ALLOWED", "-", [2]string{"Allow", "POST"}},
	{"GET/NamedMutation", get(gr, "query", `query Q { hello } mutation M { set(v: "x") }`, "operationName", "M"), 405, gr, "METHOD_NOT_ALLOWED", "-", [2]string{"Allow", "POST"}},
	{"GET/NamedQueryBesideMutation", get(gr, "query", `query Q { hello } mutation M { set(v: "x") }`, "operationName", "Q"), 200, gr, "", `{"hello":"world"}`, [2]string{}},
	{"GET/MissingQuery", get(gr), 400, gr, "BAD_REQUEST", "-", [2]string{}},
	{"GET/BadVariables", get(gr, "query", "{ hello }", "variables", `[1]`), 400, gr, "BAD_REQUEST", "-", [2]string{}},
	{"GET/BadExtensions", get(gr, "query", "{ hello }", "extensions", `{`), 400, gr, "BAD_REQUEST", "-", [2]string{}},

	// Methods and content types.
	{"PUT", request{"PUT", "/graphql", nil, ""}, 405, js, "METHOD_NOT_ALLOWED", "-", [2]string{"Allow", "GET, POST"}},
	{"POST/NoContentType", request{"POST", "/graphql", nil, `{"query":"{ hello }"}`}, 415, js, "UNSUPPORTED_MEDIA_TYPE", "-", [2]string{"Accept-Post", "application/json"}},
	{"POST/TextPlain", request{"POST", "/graphql", map[string]string{"Content-Type": "text/plain"}, `{"query":"{ hello }"}`}, 415, js, "UNSUPPORTED_MEDIA_TYPE", "-", [2]string{}},
	{"POST/Latin1", request{"POST", "/graphql", map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}, `{"query":"{ hello }"}`}, 415, js, "UNSUPPORTED_MEDIA_TYPE", "-", [2]string{}},

	// Malformed requests are 400 in both media types.
	{"POST/BadJSON", post(js, `{ "not a JSON`), 400, js, "BAD_REQUEST", "-", [2]string{}},
	{"POST/BadJSONGraphQLResponse", post(gr, `{ "not a JSON`), 400, gr, "BAD_REQUEST", "-", [2]string{}},
	{"POST/EmptyBody", post(gr, ""), 400, gr, "BAD_REQUEST", "-", [2]string{}},
	{"POST/Batch", post(gr, `[{"query":"{ hello }"}]`), 400, gr, "BAD_REQUEST", "-", [2]string{}},
	{"POST/MissingQuery", post(gr, `{"qeury":"{ hello }"}`), 400, gr, "BAD_REQUEST", "-", [2]string{}},
	{"POST/NullQuery", post(gr, `{"query":null}`), 400, gr, "BAD_REQUEST", "-", [2]string{}},
	{"POST/NumberQuery", post(js, `{"query":0}`), 400, js, "BAD_REQUEST", "-", [2]string{}},
	{"POST/ObjectQuery", post(js, `{"query":{"obj":"ect"}}`), 400, js, "BAD_REQUEST", "-", [2]string{}},
	{"POST/ArrayVariables", post(js, `{"query":"{ hello }","variables":["array"]}`), 400, js, "BAD_REQUEST", "-", [2]string{}},
	{"POST/StringVariables", post(js, `{"query":"{ hello }","variables":"string"}`), 400, js, "BAD_REQUEST", "-", [2]string{}},
	{"POST/FalseOperationName", post(js, `{"query":"{ hello }","operationName":false}`), 400, js, "BAD_REQUEST", "-", [2]string{}},
	{"POST/NumberExtensions", post(js, `{"query":"{ hello }","extensions":0}`), 400, js, "BAD_REQUEST", "-", [2]string{}},
	{"POST/NullParameters", post(gr, `{"query":"{ hello }","variables":null,"operationName":null,"extensions":null}`), 200, gr, "", `{"hello":"world"}`, [2]string{}},

	// Request errors: 400 with application/graphql-response+json, 200 with application/json.
	{"ParseError", post(gr, `{"query":"{"}`), 400, gr, "GRAPHQL_PARSE_FAILED", "-", [2]string{}},
	{"ParseErrorJSON", post(js, `{"query":"{"}`), 200, js, "GRAPHQL_PARSE_FAILED", "-", [2]string{}},
	{"ValidationError", post(gr, `{"query":"{ nope }"}`), 400, gr, "GRAPHQL_VALIDATION_FAILED", "-", [2]string{}},
	{"ValidationErrorJSON", post(js, `{"query":"{ nope }"}`), 200, js, "GRAPHQL_VALIDATION_FAILED", "-", [2]string{}},
	{"VariableCoercion", post(gr, `{"query":"query Q($s: String!) { echo(s: $s) }","variables":{"s":null}}`), 400, gr, "GRAPHQL_VALIDATION_FAILED", "-", [2]string{}},
	{"VariableCoercionJSON", post(js, `{"query":"query Q($s: String!) { echo(s: $s) }","variables":{"s":null}}`), 200, js, "GRAPHQL_VALIDATION_FAILED", "-", [2]string{}},
	{"UnknownOperation", post(gr, `{"query":"query Q { hello }","operationName":"R"}`), 400, gr, "GRAPHQL_VALIDATION_FAILED", "-", [2]string{}},
	{"AmbiguousOperation", post(gr, `{"query":"query Q { hello } query R { hello }"}`), 400, gr, "GRAPHQL_VALIDATION_FAILED", "-", [2]string{}},
	{"NamedOperation", post(gr, `{"query":"query Q { hello } query R { echo(s: \"r\") }","operationName":"R"}`), 200, gr, "", `{"echo":"r"}`, [2]string{}},

	// Field errors: data is present, so 200 in both media types.
	{"ResolverCode", post(gr, query("{ boom }")), 200, gr, "BAD_USER_INPUT", `{"boom":null}`, [2]string{}},
	{"GraphError", post(gr, query("{ invalid }")), 200, gr, "BAD_USER_INPUT", `{"invalid":null}`, [2]string{}},
	{"InternalError", post(gr, query("{ secret hello }")), 200, gr, "INTERNAL_SERVER_ERROR", `{"secret":null,"hello":"world"}`, [2]string{}},
	{"Panic", post(gr, query("{ panic }")), 200, gr, "INTERNAL_SERVER_ERROR", `{"panic":null}`, [2]string{}},
}

func TestGraphQL(t *testing.T) {
	h := NewTestServer(t, nil).Handler()
	for _, tt := range graphqlTests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.req)
			if got := w.Code; got != tt.wantStatus {
				t.Errorf("status got %v, want %v (body %s)", got, tt.wantStatus, w.Body)
			}
			if got, want := w.Header().Get("Content-Type"), tt.wantType+"; charset=utf-8"; got != want {
				t.Errorf("Content-Type got %q, want %q", got, want)
			}
			if k := tt.wantHeader[0]; k != "" {
				if got := w.Header().Get(k); got != tt.wantHeader[1] {
					t.Errorf("%s got %q, want %q", k, got, tt.wantHeader[1])
				}
			}
			res := decode(t, w)
			if got := res.code(); got != tt.wantCode {
				t.Errorf("code got %q, want %q (body %s)", got, tt.wantCode, w.Body)
			}
			for i, e := range res.Errors {
				if _, ok := e.Extensions["code"].(string); !ok {
					t.Errorf("errors[%d] has no extensions.code: %s", i, w.Body)
				}
			}
			switch {
			case tt.wantData == "-" && res.Data != nil:
				t.Errorf("data got %s, want none", res.Data)
			case tt.wantData != "-" && string(res.Data) != tt.wantData:
				t.Errorf("data got %s, want %s", res.Data, tt.wantData)
			}
		})
	}
}

func TestGraphQL_ErrorDetails(t *testing.T) {
	logs := &syncBuffer{}
	h := NewTestServer(t, logs).Handler()

	t.Run("GraphErrorReasonAndField", func(t *testing.T) {
		res := decode(t, serve(h, post(gr, query("{ invalid }"))))
		ext := res.Errors[0].Extensions
		if got, want := ext["reason"], graph.RBadValue; got != want {
			t.Errorf("reason got %v, want %v", got, want)
		}
		if got, want := ext["field"], "s"; got != want {
			t.Errorf("field got %v, want %v", got, want)
		}
		if got, want := res.Errors[0].Message, "s: s is bad"; got != want {
			t.Errorf("message got %q, want %q", got, want)
		}
	})

	// Internal errors and panics say "internal error"; the detail is logged.
	for _, field := range []string{"secret", "panic"} {
		t.Run("Hidden/"+field, func(t *testing.T) {
			w := serve(h, post(gr, query("{ "+field+" }")))
			res := decode(t, w)
			if got, want := res.Errors[0].Message, "internal error"; got != want {
				t.Errorf("message got %q, want %q", got, want)
			}
			if body := w.Body.String(); strings.Contains(body, "secret") && !strings.Contains(body, `"secret":null`) ||
				strings.Contains(body, "disk") || strings.Contains(body, "panic detail") {
				t.Errorf("body leaks detail: %s", body)
			}
		})
	}
	if got := logs.String(); !strings.Contains(got, "disk on fire") || !strings.Contains(got, "secret panic detail") {
		t.Errorf("log got %q, want the internal details", got)
	}
}

func TestGraphQL_LongURL(t *testing.T) {
	s := NewTestServer(t, nil)
	s.MaxBodyBytes = 100
	w := serve(s.Handler(), get(gr, "query", "{ hello "+strings.Repeat(" ", 200)+"}"))
	if got, want := w.Code, http.StatusRequestURITooLong; got != want {
		t.Errorf("status got %v, want %v", got, want)
	}
	if got, want := decode(t, w).code(), "REQUEST_TOO_LARGE"; got != want {
		t.Errorf("code got %q, want %q", got, want)
	}
}

// The query page's schema browser runs its introspection query as is: it
// must stay valid and within the default depth limit.
func TestGraphQL_PageIntrospection(t *testing.T) {
	src, err := os.ReadFile("ui/app.js")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(src), "const INTROSPECTION = `")
	q, _, ok2 := strings.Cut(rest, "`")
	if !ok || !ok2 {
		t.Fatal("ui/app.js has no INTROSPECTION query")
	}
	w := serve(NewTestServer(t, nil).Handler(), post(gr, query(q)))
	res := decode(t, w)
	if w.Code != 200 || len(res.Errors) > 0 || !strings.Contains(string(res.Data), `"name":"Mutation"`) {
		t.Errorf("introspection got %d %.300s, want 200 with the schema", w.Code, w.Body)
	}
}

func TestGraphQL_RedirectBrowser(t *testing.T) {
	h := NewTestServer(t, nil).Handler()
	w := serve(h, request{"GET", "/graphql", map[string]string{"Accept": "text/html,application/xhtml+xml"}, ""})
	if got, want := w.Code, http.StatusSeeOther; got != want {
		t.Fatalf("status got %v, want %v", got, want)
	}
	if got, want := w.Header().Get("Location"), "/"; got != want {
		t.Errorf("Location got %q, want %q", got, want)
	}
}

// authTests run against a server with write token "s3cret", and read-only.
var authTests = []struct {
	name       string
	token      string // server's WriteToken
	auth       string // Authorization header
	req        request
	wantStatus int
	wantCode   string
	wantData   string
}{
	{"Right", "s3cret", "Bearer s3cret", post(gr, query(`mutation { set(v: "x") }`)), 200, "", `{"set":"x"}`},
	{"RightLowercaseScheme", "s3cret", "bearer s3cret", post(gr, query(`mutation { set(v: "x") }`)), 200, "", `{"set":"x"}`},
	{"Absent", "s3cret", "", post(gr, query(`mutation { set(v: "x") }`)), 200, "UNAUTHENTICATED", `{"set":null}`},
	{"Wrong", "s3cret", "Bearer nope", post(gr, query(`mutation { set(v: "x") }`)), 401, "UNAUTHENTICATED", "-"},
	{"WrongPrefix", "s3cret", "Bearer s3cre", post(gr, query(`mutation { set(v: "x") }`)), 401, "UNAUTHENTICATED", "-"},
	{"WrongOnQuery", "s3cret", "Bearer nope", post(js, query(`{ hello }`)), 401, "UNAUTHENTICATED", "-"},
	{"OtherScheme", "s3cret", "Basic czNjcmV0", post(gr, query(`mutation { set(v: "x") }`)), 200, "UNAUTHENTICATED", `{"set":null}`},
	{"RightOnGET", "s3cret", "Bearer s3cret", get(gr, "query", "{ hello }"), 200, "", `{"hello":"world"}`},
	{"WrongOnGET", "s3cret", "Bearer nope", get(gr, "query", "{ hello }"), 401, "UNAUTHENTICATED", "-"},
	{"ReadOnly", "", "", post(gr, query(`mutation { set(v: "x") }`)), 200, "FORBIDDEN", `{"set":null}`},
	{"ReadOnlyIgnoresToken", "", "Bearer s3cret", post(gr, query(`mutation { set(v: "x") }`)), 200, "FORBIDDEN", `{"set":null}`},
	{"ReadOnlyQuery", "", "Bearer anything", post(gr, query(`{ hello }`)), 200, "", `{"hello":"world"}`},
}

func TestAuth(t *testing.T) {
	for _, tt := range authTests {
		t.Run(tt.name, func(t *testing.T) {
			logs := &syncBuffer{}
			s := NewTestServer(t, logs)
			s.WriteToken = tt.token
			rq := tt.req
			if tt.auth != "" {
				rq.header = map[string]string{"Authorization": tt.auth}
				for k, v := range tt.req.header {
					rq.header[k] = v
				}
			}
			w := serve(s.Handler(), rq)
			if got := w.Code; got != tt.wantStatus {
				t.Errorf("status got %v, want %v (body %s)", got, tt.wantStatus, w.Body)
			}
			res := decode(t, w)
			if got := res.code(); got != tt.wantCode {
				t.Errorf("code got %q, want %q", got, tt.wantCode)
			}
			if got := string(res.Data); (tt.wantData == "-" && got != "") || (tt.wantData != "-" && got != tt.wantData) {
				t.Errorf("data got %s, want %s", got, tt.wantData)
			}
			if tt.wantStatus == 401 {
				if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") {
					t.Errorf("WWW-Authenticate got %q, want a Bearer challenge", got)
				}
			}
			if got := logs.String(); strings.Contains(got, "s3cret") || strings.Contains(got, "Bearer") {
				t.Errorf("log shows the token: %q", got)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	s := NewTestServer(t, nil)
	s.MaxBodyBytes = 100
	h := s.Handler()
	for _, tt := range []struct {
		name       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"Under", query("{ hello }"), 200, ""},
		{"Over", query("{ hello " + strings.Repeat(" ", 200) + "}"), 413, "REQUEST_TOO_LARGE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, post(gr, tt.body))
			if got := w.Code; got != tt.wantStatus {
				t.Errorf("status got %v, want %v", got, tt.wantStatus)
			}
			if got := decode(t, w).code(); got != tt.wantCode {
				t.Errorf("code got %q, want %q", got, tt.wantCode)
			}
		})
	}
}

func nested(depth int) string {
	return strings.Repeat("{ a ", depth-1) + "{ hello" + strings.Repeat(" }", depth)
}

func TestQueryDepth(t *testing.T) {
	s := NewTestServer(t, nil)
	s.MaxQueryDepth = 3
	s.MaxBodyBytes = 4 << 20
	h := s.Handler()
	for _, tt := range []struct {
		name       string
		req        request
		wantStatus int
		wantCode   string
	}{
		{"AtLimit", post(gr, query(`{ __schema { queryType { name } } }`)), 200, ""},
		{"OverLimit", post(gr, query(`{ __schema { queryType { fields { name } } } }`)), 400, "QUERY_TOO_COMPLEX"},
		{"OverLimitJSON", post(js, query(`{ __schema { queryType { fields { name } } } }`)), 200, "QUERY_TOO_COMPLEX"},
		{"OverLimitGET", get(gr, "query", `{ __schema { queryType { fields { name } } } }`), 400, "QUERY_TOO_COMPLEX"},
		{"BracesInStrings", post(gr, query(`{ echo(s: "{{{{{{{{") } # {{{{{{{{`)), 200, ""},
		{"BracesInBlockStrings", post(gr, query(`{ echo(s: """{{{{ "" {{{{""") }`)), 200, ""},
		{"ThousandDeep", post(gr, query(nested(1000))), 400, "QUERY_TOO_COMPLEX"},
		{"MegabyteDeep", post(gr, query(nested(250_000))), 400, "QUERY_TOO_COMPLEX"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.req)
			if got := w.Code; got != tt.wantStatus {
				t.Errorf("status got %v, want %v (body %.200s)", got, tt.wantStatus, w.Body)
			}
			res := decode(t, w)
			if got := res.code(); got != tt.wantCode {
				t.Errorf("code got %q, want %q", got, tt.wantCode)
			}
			if tt.wantCode != "" && !strings.Contains(res.Errors[0].Message, "3") {
				t.Errorf("message %q does not name the limit", res.Errors[0].Message)
			}
			// Refused by the depth scan, before any parsing (its error
			// carries the limit), not by a parser that would walk a
			// megabyte of nesting.
			if tt.wantCode != "" && res.Errors[0].Extensions["limit"] != float64(3) {
				t.Errorf("extensions %v, want the depth scan's limit 3", res.Errors[0].Extensions)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	s := NewTestServer(t, nil)
	s.RequestTimeout = 50 * time.Millisecond
	h := s.Handler()
	for _, tt := range []struct {
		accept     string
		wantStatus int
	}{
		{gr, http.StatusGatewayTimeout},
		{js, http.StatusOK},
	} {
		t.Run(tt.accept, func(t *testing.T) {
			start := time.Now()
			w := serve(h, post(tt.accept, query("{ slow }")))
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v, want about 50ms", d)
			}
			if got := w.Code; got != tt.wantStatus {
				t.Errorf("status got %v, want %v (body %s)", got, tt.wantStatus, w.Body)
			}
			if got, want := decode(t, w).code(), graph.ETIMEOUT; got != want {
				t.Errorf("code got %q, want %q (body %s)", got, want, w.Body)
			}
		})
	}
}

func TestCORS(t *testing.T) {
	preflight := func(origin string) request {
		return request{"OPTIONS", "/graphql", map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "authorization,content-type",
		}, ""}
	}
	actual := func(origin string) request {
		rq := post(gr, query("{ hello }"))
		rq.header["Origin"] = origin
		return rq
	}
	for _, tt := range []struct {
		name      string
		origins   []string
		req       request
		wantAllow string // Access-Control-Allow-Origin
	}{
		{"PreflightAllowed", []string{"https://app.example"}, preflight("https://app.example"), "https://app.example"},
		{"PreflightRefused", []string{"https://app.example"}, preflight("https://evil.example"), ""},
		{"PreflightNoneConfigured", nil, preflight("https://app.example"), ""},
		{"ActualAllowed", []string{"https://app.example"}, actual("https://app.example"), "https://app.example"},
		{"ActualRefused", []string{"https://app.example"}, actual("https://evil.example"), ""},
		{"ActualNoneConfigured", nil, actual("https://app.example"), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewTestServer(t, nil)
			s.AllowedOrigins = tt.origins
			w := serve(s.Handler(), tt.req)
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("Access-Control-Allow-Origin got %q, want %q", got, tt.wantAllow)
			}
			if tt.wantAllow != "" && tt.req.method == "OPTIONS" {
				if got := w.Header().Get("Access-Control-Allow-Headers"); !strings.Contains(strings.ToLower(got), "authorization") {
					t.Errorf("Access-Control-Allow-Headers got %q, want authorization", got)
				}
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	for _, tt := range []struct {
		name       string
		health     func(context.Context) error
		method     string
		wantStatus int
		wantBody   string
	}{
		{"NoCheck", nil, "GET", 200, `{"status":"ok"}`},
		{"OK", func(context.Context) error { return nil }, "GET", 200, `{"status":"ok"}`},
		{"Failing", func(context.Context) error { return errors.New("badger: /data locked") }, "GET", 503, `{"error":"internal error","status":"unavailable"}`},
		{"FailingApp", func(context.Context) error { return graph.Errorf(graph.EINTERNAL, "store closed") }, "GET", 503, `{"error":"store closed","status":"unavailable"}`},
		{"POST", nil, "POST", 405, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := NewTestServer(t, nil)
			s.Health = tt.health
			w := serve(s.Handler(), request{method: tt.method, target: "/healthz"})
			if got := w.Code; got != tt.wantStatus {
				t.Errorf("status got %v, want %v", got, tt.wantStatus)
			}
			if tt.wantBody != "" {
				if got := strings.TrimSpace(w.Body.String()); got != tt.wantBody {
					t.Errorf("body got %s, want %s", got, tt.wantBody)
				}
			}
		})
	}
}

func TestPages(t *testing.T) {
	h := NewTestServer(t, nil).Handler()
	for _, tt := range []struct {
		target     string
		wantStatus int
		wantType   string
	}{
		{"/", 200, "text/html; charset=utf-8"},
		{"/ui/app.js", 200, "text/javascript; charset=utf-8"},
		{"/ui/style.css", 200, "text/css; charset=utf-8"},
		{"/favicon.ico", 204, ""},
		{"/nope", 404, "text/plain; charset=utf-8"},
		{"/ui/", 404, "text/plain; charset=utf-8"},
		{"/debug/pprof/", 404, "text/plain; charset=utf-8"},
	} {
		t.Run(tt.target, func(t *testing.T) {
			w := serve(h, request{method: "GET", target: tt.target})
			if got := w.Code; got != tt.wantStatus {
				t.Errorf("status got %v, want %v", got, tt.wantStatus)
			}
			if got := w.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type got %q, want %q", got, tt.wantType)
			}
			if got, want := w.Header().Get("X-Content-Type-Options"), "nosniff"; got != want {
				t.Errorf("X-Content-Type-Options got %q, want %q", got, want)
			}
			// The page must work offline: nothing may load from another host.
			if body := w.Body.String(); strings.Contains(body, "http://") || strings.Contains(body, "https://") || strings.Contains(body, "//cdn") {
				t.Errorf("%s refers to an external URL", tt.target)
			}
		})
	}

	w := serve(h, request{method: "GET", target: "/"})
	for _, want := range []string{`src="ui/app.js"`, `href="ui/style.css"`, `id="query"`, `id="variables"`, `id="token"`, `id="run"`, `id="result"`, `id="schema"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("index page lacks %s", want)
		}
	}
	if got := w.Header().Get("Content-Security-Policy"); !strings.Contains(got, "script-src 'self'") {
		t.Errorf("Content-Security-Policy got %q, want script-src 'self'", got)
	}
}

func TestPprof(t *testing.T) {
	s := NewTestServer(t, nil)
	s.EnablePprof = true
	w := serve(s.Handler(), request{method: "GET", target: "/debug/pprof/"})
	if got, want := w.Code, 200; got != want {
		t.Errorf("status got %v, want %v", got, want)
	}
}

func TestRequestLog(t *testing.T) {
	logs := &syncBuffer{}
	s := NewTestServer(t, logs)
	s.LogRequests = true
	h := s.Handler()
	serve(h, get(gr, "query", `{ echo(s: "private words") }`))
	got := logs.String()
	if want := `GET "/graphql" 200 `; !strings.HasPrefix(got, want) {
		t.Errorf("log got %q, want prefix %q", got, want)
	}
	if strings.Contains(got, "private") || strings.Count(got, "\n") != 1 {
		t.Errorf("log got %q, want one line without the query", got)
	}
}

func TestOpenShutdown(t *testing.T) {
	root := &resolver{started: make(chan struct{}), release: make(chan struct{})}
	s := NewTestServer(t, nil)
	s.Addr = "127.0.0.1:0"
	s.Schema = MustSchema(t, root)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Fatalf("URL got %q, want http://127.0.0.1:PORT", s.URL())
	}

	t.Run("BindError", func(t *testing.T) {
		other := NewTestServer(t, nil)
		other.Addr = strings.TrimPrefix(s.URL(), "http://")
		if err := other.Open(); err == nil {
			other.Shutdown(context.Background())
			t.Fatal("Open on a used port: got nil error, want one")
		}
	})
	t.Run("NoSchema", func(t *testing.T) {
		other := server.NewServer()
		other.Addr = "127.0.0.1:0"
		if err := other.Open(); err == nil {
			other.Shutdown(context.Background())
			t.Fatal("Open without Schema: got nil error, want one")
		}
	})

	// A request in flight finishes; Shutdown waits for it.
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Post(s.URL()+"/graphql", "application/json", strings.NewReader(query("{ wait }")))
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- result{status: resp.StatusCode, body: string(b)}
	}()
	<-root.started
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(context.Background()) }()
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned %v with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(root.release)
	r := <-done
	if r.err != nil || r.status != 200 || r.body != `{"data":{"wait":"done"}}` {
		t.Errorf("in-flight request got %d %q %v, want 200 with data", r.status, r.body, r.err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown got %v, want nil", err)
	}
	if _, err := http.Get(s.URL() + "/healthz"); err == nil {
		t.Error("request after Shutdown: got nil error, want connection refused")
	}
}
