package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestProvParseFlags(t *testing.T) {
	c, _, _ := testCLI(map[string]string{"CHIPGRAPH_DATA": "/d"}, "")
	cfg, err := c.parseProvFlags([]string{"--entity", "trainium3", "--as-of", "2026-01-02T03:04:05Z"})
	checkParse(t, nil, cfg, provConfig{DataDir: "/d", Entity: "trainium3", AsOf: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}, err, "")
	cfg, err = c.parseProvFlags([]string{"--source", "seed-article"})
	checkParse(t, nil, cfg, provConfig{DataDir: "/d", Source: "seed-article"}, err, "")

	for _, tt := range []struct {
		args    []string
		wantErr string
	}{
		{nil, "exactly one of --entity and --source"},
		{[]string{"--entity", "a", "--source", "b"}, "exactly one of --entity and --source"},
		{[]string{"trainium3"}, `unexpected argument "trainium3"`},
		{[]string{"--entity", "a", "--as-of", "yesterday"}, "--as-of"},
	} {
		_, err := c.parseProvFlags(tt.args)
		checkParse(t, tt.args, provConfig{}, provConfig{}, err, tt.wantErr)
	}
}

func TestProv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // empty: prov loads the starter data first
	r := runCLI(t, nil, "", "prov", "--data", dir, "--entity", "trainium3")
	if r.code != 0 {
		t.Fatalf("exit code %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Context map[string]string `json:"@context"`
		Graph   []map[string]any  `json:"@graph"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, r.stdout)
	}
	if doc.Context["prov"] != "http://www.w3.org/ns/prov#" || len(doc.Graph) == 0 {
		t.Fatalf("output has no PROV context or no nodes: %.500s", r.stdout)
	}
	if got := doc.Graph[0]["@id"]; got != "urn:chipgraph:entity:trainium3" {
		t.Errorf("first node %v, want the entity", got)
	}
	if !strings.Contains(r.stdout, `"cg:quote": "Amazon Trainium3,`) {
		t.Error("output lacks the quote from the Epoch dataset")
	}

	t.Run("Source", func(t *testing.T) {
		r := runCLI(t, nil, "", "prov", "--data", dir, "--source", "seed-article")
		if r.code != 0 || !strings.Contains(r.stdout, `"@id": "urn:chipgraph:source:seed-article"`) {
			t.Errorf("exit code %d, stderr %s, stdout %.300s", r.code, r.stderr, r.stdout)
		}
	})
	t.Run("AsOfBeforeData", func(t *testing.T) {
		r := runCLI(t, nil, "", "prov", "--data", dir, "--entity", "trainium3", "--as-of", "2000-01-01T00:00:00Z")
		if r.code != 1 || !strings.Contains(r.stderr, `no entity "trainium3"`) {
			t.Errorf("exit code %d, stderr %q; want 1 and not found", r.code, r.stderr)
		}
	})
	t.Run("UnknownSource", func(t *testing.T) {
		r := runCLI(t, nil, "", "prov", "--data", dir, "--source", "nope")
		if r.code != 1 || !strings.Contains(r.stderr, `no source "nope"`) {
			t.Errorf("exit code %d, stderr %q; want 1 and not found", r.code, r.stderr)
		}
	})
	t.Run("Usage", func(t *testing.T) {
		r := runCLI(t, nil, "", "prov", "--data", dir)
		if r.code != 2 || !strings.Contains(r.stderr, "Try: chipgraph prov --help") {
			t.Errorf("exit code %d, stderr %q; want 2 with a hint", r.code, r.stderr)
		}
	})
	t.Run("Help", func(t *testing.T) {
		r := runCLI(t, nil, "", "help")
		if r.code != 0 || !strings.Contains(r.stdout, "prov ") {
			t.Errorf("help does not list prov: %s", r.stdout)
		}
	})
}
