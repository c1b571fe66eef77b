package schema

import "context"

type writerKey struct{}

// WithWriter returns a context whose requests may run mutations, recorded
// as written by who. The HTTP server calls it after checking the write
// token; the command line calls it for local writes.
func WithWriter(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, writerKey{}, who)
}

// Writer returns who may write in ctx, and false when the request is read-only.
func Writer(ctx context.Context) (string, bool) {
	who, ok := ctx.Value(writerKey{}).(string)
	return who, ok
}

type readOnlyKey struct{}

// WithReadOnly marks ctx as served by a server that has no write token
// configured: mutations are refused as FORBIDDEN rather than UNAUTHENTICATED.
func WithReadOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, readOnlyKey{}, true)
}

// ReadOnly reports whether ctx was marked by WithReadOnly.
func ReadOnly(ctx context.Context) bool {
	ro, _ := ctx.Value(readOnlyKey{}).(bool)
	return ro
}
