package server_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// TestAudit runs the GraphQL-over-HTTP conformance audit against a real
// server over the test schema. It needs node and npm, so it runs only when
// GRAPHQL_HTTP_AUDIT names the audit script:
//
//	GRAPHQL_HTTP_AUDIT=$PWD/../shared/tools/graphql-http-audit go test -run TestAudit -v ./server/
func TestAudit(t *testing.T) {
	tool := os.Getenv("GRAPHQL_HTTP_AUDIT")
	if tool == "" {
		t.Skip("set GRAPHQL_HTTP_AUDIT to the graphql-http-audit script to run the audit")
	}
	s := NewTestServer(t, nil)
	s.Addr = "127.0.0.1:0"
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(context.Background())

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, tool, s.URL()+"/graphql", "--strict").CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
}
