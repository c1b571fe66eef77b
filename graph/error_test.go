package graph_test

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/chipgraph/chipgraph/graph"
)

var errorCodeTests = []struct {
	err    error
	code   string
	status int
	msg    string // ErrorMessage
}{
	// No error.
	{nil, "", 200, ""},
	// Application errors keep their code and message.
	{graph.Invalid("references", graph.RMissingReference, "a statement needs at least one reference"),
		graph.EINVALID, 400, "references: a statement needs at least one reference"},
	{graph.Errorf(graph.ENOTFOUND, "entity %q not found", "trainium9"), graph.ENOTFOUND, 404, `entity "trainium9" not found`},
	{graph.Errorf(graph.ECONFLICT, "conflict"), graph.ECONFLICT, 409, "conflict"},
	{graph.Errorf(graph.EUNAUTHORIZED, "no token"), graph.EUNAUTHORIZED, 401, "no token"},
	{graph.Errorf(graph.EFORBIDDEN, "read-only"), graph.EFORBIDDEN, 403, "read-only"},
	{graph.Errorf(graph.ETOOCOMPLEX, "too deep"), graph.ETOOCOMPLEX, 400, "too deep"},
	{graph.Errorf(graph.ETIMEOUT, "timeout"), graph.ETIMEOUT, 504, "timeout"},
	// Wrapped application errors are found in the chain.
	{fmt.Errorf("write: %w", graph.Errorf(graph.ECONFLICT, "stale")), graph.ECONFLICT, 409, "stale"},
	{&graph.LineError{File: "a.ndjson", Line: 3, Err: graph.Invalid("type", graph.RMissing, "no type")}, graph.EINVALID, 400, "type: no type"},
	// Anything else is internal and its text is hidden.
	{errors.New("badger: disk full at /var/lib/chipgraph"), graph.EINTERNAL, 500, "internal error"},
	{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), graph.EINTERNAL, 500, "internal error"},
	{graph.Errorf(graph.EINTERNAL, "x"), graph.EINTERNAL, 500, "x"},
}

func TestErrorCode(t *testing.T) {
	for _, tt := range errorCodeTests {
		if got := graph.ErrorCode(tt.err); got != tt.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tt.err, got, tt.code)
		}
		if got := graph.HTTPStatus(graph.ErrorCode(tt.err)); got != tt.status {
			t.Errorf("HTTPStatus(ErrorCode(%v)) = %d, want %d", tt.err, got, tt.status)
		}
		if got := graph.ErrorMessage(tt.err); got != tt.msg {
			t.Errorf("ErrorMessage(%v) = %q, want %q", tt.err, got, tt.msg)
		}
	}
	// An unknown code is a server error.
	if got := graph.HTTPStatus("TEAPOT"); got != 500 {
		t.Errorf("HTTPStatus(%q) = %d, want 500", "TEAPOT", got)
	}
}

func TestErrorString(t *testing.T) {
	e := graph.Invalid("object.date", graph.RBadDate, "malformed date %q", "2025-13")
	if e.Code != graph.EINVALID || e.Reason != graph.RBadDate || e.Field != "object.date" {
		t.Errorf("Invalid() = %+v, want code %s reason %s field object.date", e, graph.EINVALID, graph.RBadDate)
	}
	if got, want := e.Error(), `object.date: malformed date "2025-13"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Without a field, the message alone.
	if got := graph.Errorf(graph.ENOTFOUND, "gone").Error(); got != "gone" {
		t.Errorf("Error() = %q, want %q", got, "gone")
	}
}
