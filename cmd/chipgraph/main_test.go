package main

import (
	"bytes"
	"context"
	"log"
	"strings"
	"testing"
	"time"
)

// result is what one command line produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs a command line with only env as its environment (the test
// process's CHIPGRAPH_* variables must not leak in) and stdin as input.
func runCLI(tb testing.TB, env map[string]string, stdin string, args ...string) result {
	tb.Helper()
	c, stdout, stderr := testCLI(env, stdin)
	code := c.exit(c.run(context.Background(), args))
	return result{code, stdout.String(), stderr.String()}
}

func testCLI(env map[string]string, stdin string) (*cli, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	c := &cli{
		stdin:  strings.NewReader(stdin),
		stdout: &stdout,
		stderr: &stderr,
		lookupEnv: func(k string) (string, bool) {
			v, ok := env[k]
			return v, ok
		},
	}
	return c, &stdout, &stderr
}

// testLogger sends log output to the test's log.
func testLogger(tb testing.TB) *log.Logger {
	return log.New(tbWriter{tb}, "", 0)
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring expected on stdout
		stderr string // substring expected on stderr
	}{
		{"NoCommand", nil, 2, "", "no command given"},
		{"UnknownCommand", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"Help", []string{"help"}, 0, "Commands:", ""},
		{"HelpFlag", []string{"--help"}, 0, "Commands:", ""},
		{"HelpCommand", []string{"help", "import"}, 0, "Usage: chipgraph import [flags] FILE...", ""},
		{"CommandHelp", []string{"serve", "--help"}, 0, "CHIPGRAPH_WRITE_TOKEN", ""},
		{"Version", []string{"version"}, 0, "chipgraph ", ""},
		{"BadFlag", []string{"export", "--nope"}, 2, "", "--nope"},
		{"BadValue", []string{"serve", "--max-depth", "zero"}, 2, "", "--max-depth"},
		{"Hint", []string{"serve", "--timeout", "5"}, 2, "", "Try: chipgraph serve --help"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, "", tt.args...)
			if r.code != tt.code {
				t.Errorf("exit code %d, want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stdout, tt.stdout) {
				t.Errorf("stdout %q does not contain %q", r.stdout, tt.stdout)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.stderr)
			}
		})
	}
}

func TestCommas(t *testing.T) {
	for _, tt := range []struct {
		in   int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-12345, "-12,345"}} {
		if got := commas(tt.in); got != tt.want {
			t.Errorf("commas(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name string
		p    *progress
		el   time.Duration
		want string
	}{
		{"Reading", &progress{name: "f.ndjson", total: 1000, nread: 2500, bytes: 250}, 10 * time.Second,
			"f.ndjson: 2,500 records read (25%), 0 written  250 records/s  ETA 30s  10s"},
		{"Read", &progress{name: "f.ndjson", total: 1000, nread: 10000, bytes: 1000}, 40 * time.Second,
			"f.ndjson: 10,000 records read (100%), 0 written  250 records/s  writing the store  40s"},
		{"Written", &progress{name: "f.ndjson", total: 1000, nread: 10000, nwritten: 10000, bytes: 1000}, 50 * time.Second,
			"f.ndjson: 10,000 records read (100%), 10,000 written  200 records/s  writing the store  50s"},
		{"Stdin", &progress{name: "stdin", nread: 300, bytes: 9000}, 3 * time.Second,
			"stdin: 300 records read, 0 written  100 records/s  3s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.line(tt.el); got != tt.want {
				t.Errorf("line got\n%q, want\n%q", got, tt.want)
			}
		})
	}
}
