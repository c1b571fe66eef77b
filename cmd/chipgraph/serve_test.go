package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

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
