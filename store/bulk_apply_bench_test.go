package store

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/chipgraph/chipgraph/graph"
)

// BenchmarkBulkApply runs the apply phase of a bulk import as the import
// command does, records decoded from the file as they are applied, but
// stops before the sort and the stream: it reads the NDJSON file named by
// $CHIPGRAPH_BENCH_FILE (skipped when unset; the generated scale-1 file
// is 242 MB) and prechecks and applies each record into the overlay.
func BenchmarkBulkApply(b *testing.B) {
	name := os.Getenv("CHIPGRAPH_BENCH_FILE")
	if name == "" {
		b.Skip("CHIPGRAPH_BENCH_FILE is not set")
	}
	fi, err := os.Stat(name)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	facts := 0
	var faults int64
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		s, err := Open("", &Options{InMemory: true})
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		faults -= ru.Minflt
		cpu -= time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		b.StartTimer()
		run := s.startBulk(context.Background(), "bench", int(fi.Size()/256), nil)
		err = graph.ScanRecords(f, name, func(r graph.Record) error {
			if r.Type == graph.StatementRecord || r.Type == graph.ClaimRecord {
				facts++
			}
			return run.add(&r)
		})
		b.StopTimer()
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		faults += ru.Minflt
		cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
		run.discard()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(facts)/b.Elapsed().Seconds(), "facts/s")
	b.ReportMetric(float64(faults)/float64(b.N), "faults/op")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}
