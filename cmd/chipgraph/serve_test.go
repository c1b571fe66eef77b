package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/store"
)

// MustRunMain starts the real service on a free loopback port with a
// temporary data directory, as the serve command would after parsing
// flags. edit may change the configuration first.
func MustRunMain(tb testing.TB, edit func(*Config)) *Main {
	tb.Helper()
	m := NewMain()
	m.Config.Addr = "127.0.0.1:0"
	m.Config.DataDir = tb.TempDir()
	m.Logger = testLogger(tb)
	if edit != nil {
		edit(&m.Config)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

func TestServeEndToEnd(t *testing.T) {
	t.Parallel()
	const token = "test-token-0123456789"
	m := MustRunMain(t, func(c *Config) { c.WriteToken = token })
	dir, url := m.Config.DataDir, m.URL()
	if !strings.HasPrefix(m.URL(), "http://127.0.0.1:") || strings.HasSuffix(m.URL(), ":0") {
		t.Fatalf("URL() = %q, want http://127.0.0.1:<port>", m.URL())
	}

	resp, err := http.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("GET /healthz: %d %s", resp.StatusCode, body)
	}

	post := func(query, bearer string) map[string]any {
		t.Helper()
		b, _ := json.Marshal(map[string]string{"query": query})
		req, _ := http.NewRequest(http.MethodPost, m.URL()+"/graphql", strings.NewReader(string(b)))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("POST /graphql: %d, body not JSON: %v", resp.StatusCode, err)
		}
		return out
	}
	got := post(`{ entity(key: "trainium3") { name } }`, "")
	if name, _ := got["data"].(map[string]any)["entity"].(map[string]any)["name"]; name != "Trainium3" {
		t.Errorf("query response %v, want the starter data's Trainium3", got)
	}
	got = post(`mutation { upsertEntity(input: {key: "e2e-chip", kind: Chip, name: "E2E Chip"}) { key } }`, token)
	if got["errors"] != nil {
		t.Fatalf("mutation with the write token: %v", got["errors"])
	}

	// Close stops the server and closes Badger cleanly: the directory can
	// be opened again and holds the write.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Errorf("server still answers after Close")
	}
	st, err := store.Open(dir, nil)
	if err != nil {
		t.Fatalf("reopen store after Close: %v", err)
	}
	defer st.Close()
	e, err := st.Entity(context.Background(), graph.View{}, "e2e-chip")
	if err != nil || e.Name != "E2E Chip" {
		t.Errorf("entity written through the server: %v, %v", e, err)
	}
}

func TestServeNoStarter(t *testing.T) {
	t.Parallel()
	m := MustRunMain(t, func(c *Config) { c.NoStarter = true })
	if !m.Store.Empty() {
		t.Errorf("store not empty with NoStarter")
	}
}

// TestServeAsOfCache reads asOf over HTTP with the response cache on: reads
// asOf instants after the newest change share the current answer, and a
// write moves that line, so a read asOf an instant before the write keeps
// the older answer, cached or not.
func TestServeAsOfCache(t *testing.T) {
	t.Parallel()
	const token = "test-token-0123456789"
	m := MustRunMain(t, func(c *Config) { c.WriteToken = token })
	count := func(asOf time.Time) int {
		t.Helper()
		var out struct {
			Entity struct{ Statements struct{ TotalCount int } }
		}
		arg := ""
		if !asOf.IsZero() {
			arg = fmt.Sprintf(", asOf: %q", asOf.Format(time.RFC3339Nano))
		}
		gql(t, m.URL(), `{ entity(key: "trainium3"`+arg+`) { statements { totalCount } } }`, &out)
		return out.Entity.Statements.TotalCount
	}
	countVar := func(asOf time.Time) int {
		t.Helper()
		body, _ := json.Marshal(map[string]any{
			"query":     `query($t: Time) { entity(key: "trainium3", asOf: $t) { statements { totalCount } } }`,
			"variables": map[string]any{"t": asOf.Format(time.RFC3339Nano)},
		})
		resp, err := http.Post(m.URL()+"/graphql", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Entity struct{ Statements struct{ TotalCount int } }
			}
			Errors []any
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || len(r.Errors) > 0 {
			t.Fatalf("asOf %s: %v %v", asOf, err, r.Errors)
		}
		return r.Data.Entity.Statements.TotalCount
	}
	before := time.Now()
	want := count(time.Time{})
	for i, at := range []time.Time{before, before, before.Add(time.Minute), before.Add(time.Hour), before} {
		if got := countVar(at); got != want {
			t.Fatalf("read %d asOf %s: %d statements, want the current %d", i+1, at, got, want)
		}
	}
	b, _ := json.Marshal(map[string]string{"query": `mutation {
		addSource(input: {key: "asof-review", title: "Trainium3 review", kind: NEWS_ARTICLE, text: "We measured Trainium3 at 1,000 W under load."}) { key }
		addStatement(input: {subject: "trainium3", predicate: "tdp", object: {amount: 1000, unit: "W"},
			references: [{source: "asof-review", quote: "Trainium3 at 1,000 W"}]}) { key } }`})
	req, _ := http.NewRequest(http.MethodPost, m.URL()+"/graphql", strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || strings.Contains(string(out), `"errors"`) {
		t.Fatalf("mutation: %d %s", resp.StatusCode, out)
	}
	resp.Body.Close()
	after := time.Now().Add(time.Second)
	for i, tc := range []struct {
		at   time.Time
		want int
	}{
		{before, want}, {before, want}, {before, want}, // before the write, however often
		{after, want + 1}, {after, want + 1}, {after.Add(time.Hour), want + 1},
		{time.Time{}, want + 1},
	} {
		got := countVar(tc.at)
		if tc.at.IsZero() {
			got = count(tc.at)
		}
		if got != tc.want {
			t.Errorf("read %d asOf %s after the write: %d statements, want %d", i+1, tc.at, got, tc.want)
		}
	}
}
