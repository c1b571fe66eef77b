package main

import (
	"strings"
	"testing"
)

// TestQueryErrorCodes: in-process queries report the same extensions.code
// as the server, including arguments that fail to coerce (a malformed asOf
// or validAt is the user's mistake, not an internal error).
func TestQueryErrorCodes(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ query, want string }{
		{`{ chip(key: "trainium3", asOf: "yesterday") { name } }`, `"code": "BAD_USER_INPUT"`},
		{`{ chip(key: "trainium3", validAt: "2025-13") { name } }`, `"code": "BAD_USER_INPUT"`},
		{`{ chip(key: "trainium3") { nosuchfield } }`, `"code": "GRAPHQL_VALIDATION_FAILED"`},
		{`{ chip(`, `"code": "GRAPHQL_PARSE_FAILED"`},
		{`{ entities(first: 100000) { totalCount } }`, `"code": "QUERY_TOO_COMPLEX"`},
	} {
		r := runCLI(t, nil, "", "query", "--data", dir, tc.query)
		if r.code != 1 || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("query %s: exit %d, stdout %s; want 1 and %s", tc.query, r.code, r.stdout, tc.want)
		}
	}
}
