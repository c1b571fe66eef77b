// Package inproc holds in-process benchmarks of chipgraph's GraphQL
// execution: the benchmark queries of package bench/load, run through
// schema.New(store).Exec without HTTP, on the starter data and on the
// generated benchmark dataset, with allocation counts. It has no code of
// its own; see inproc_test.go and BENCHMARKS.md.
//
//	go test -run '^$' -bench . -benchmem ./bench/inproc
//
// The generated dataset is built at scale 0.05 by default, small enough
// for a quick run; CHIPGRAPH_BENCH_SCALE sets another scale (1 is the
// reference, and takes minutes to import).
//
// BenchmarkExecutorFloor runs q1, q2, q3 and q6 on a schema of the same
// shape whose resolvers return answers computed beforehand: what the GraphQL
// executor costs with nothing to read (see floor_test.go).
package inproc
