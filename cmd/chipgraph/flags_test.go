package main

import (
	"bytes"
	"context"
	"log"
	"reflect"
	"strings"
	"testing"
	"time"
)

// serveFlagTests cover the serve flags: defaults, the environment over
// defaults, flags over the environment, and bad values naming the flag.
var serveFlagTests = []struct {
	name string
	args []string
	env  map[string]string
	edit func(*Config) // applied to DefaultConfig for the expected result
	err  string        // substring of the expected error; "" means success
}{
	{name: "Defaults", edit: func(*Config) {}},
	{
		name: "EnvOverridesDefaults",
		env: map[string]string{
			"CHIPGRAPH_ADDR": ":9000", "CHIPGRAPH_DATA": "/srv/chipgraph", "CHIPGRAPH_WRITE_TOKEN": "s3cret",
			"CHIPGRAPH_CORS_ORIGINS": "https://a.example.com, https://b.example.com/", "CHIPGRAPH_MAX_BODY": "2MiB",
			"CHIPGRAPH_MAX_DEPTH": "7", "CHIPGRAPH_TIMEOUT": "3s", "CHIPGRAPH_PPROF": "true", "CHIPGRAPH_NO_STARTER": "1",
		},
		edit: func(c *Config) {
			c.Addr, c.DataDir, c.WriteToken = ":9000", "/srv/chipgraph", "s3cret"
			c.CORSOrigins = []string{"https://a.example.com", "https://b.example.com"}
			c.MaxBodyBytes, c.MaxDepth, c.Timeout, c.Pprof, c.NoStarter = 2<<20, 7, 3*time.Second, true, true
		},
	},
	{
		name: "FlagsOverrideEnv",
		args: []string{"--addr", "127.0.0.1:0", "--max-depth=9", "--timeout", "1m", "--pprof=false", "--max-body", "65536", "--data", "d"},
		env:  map[string]string{"CHIPGRAPH_ADDR": ":9000", "CHIPGRAPH_MAX_DEPTH": "7", "CHIPGRAPH_TIMEOUT": "3s", "CHIPGRAPH_PPROF": "true", "CHIPGRAPH_DATA": "e"},
		edit: func(c *Config) {
			c.Addr, c.MaxDepth, c.Timeout, c.MaxBodyBytes, c.DataDir = "127.0.0.1:0", 9, time.Minute, 65536, "d"
		},
	},
	{name: "EmptyEnvIsUnset", env: map[string]string{"CHIPGRAPH_DATA": ""}, edit: func(*Config) {}},
	{name: "SingleDash", args: []string{"-no-starter", "-cors-origins", "*"}, edit: func(c *Config) { c.NoStarter, c.CORSOrigins = true, []string{"*"} }},
	{name: "Memory", args: []string{"--memory-limit", "256MiB", "--record-cache", "16MiB", "--block-cache", "8MiB"},
		env:  map[string]string{"CHIPGRAPH_RECORD_CACHE": "1MiB"},
		edit: func(c *Config) { c.MemoryLimit, c.RecordCache, c.BlockCache = 256<<20, 16<<20, 8<<20 }},
	{name: "Executor", args: []string{"--executor", "graphql-go"}, edit: func(c *Config) { c.Executor = "graphql-go" }},
	{name: "HTTPServer", args: []string{"--http-server", "net/http"}, edit: func(c *Config) { c.HTTPServer = "net/http" }},
	{name: "ExecutorEnv", env: map[string]string{"CHIPGRAPH_EXECUTOR": "compiled"}, edit: func(*Config) {}},
	{name: "NoRecordCache", env: map[string]string{"CHIPGRAPH_RECORD_CACHE": "0"}, edit: func(c *Config) { c.RecordCache = 0 }},

	// Bad values name the flag (and the variable, when it came from there).
	{name: "ErrMaxDepthZero", args: []string{"--max-depth", "0"}, err: `invalid value "0" for flag --max-depth: must be at least 1`},
	{name: "ErrMaxDepthEnv", env: map[string]string{"CHIPGRAPH_MAX_DEPTH": "deep"}, err: `invalid value "deep" in CHIPGRAPH_MAX_DEPTH for flag --max-depth`},
	{name: "ErrTimeoutNoUnit", args: []string{"--timeout", "30"}, err: "--timeout: not a duration"},
	{name: "ErrTimeoutNegative", args: []string{"--timeout=-1s"}, err: "--timeout: must be positive"},
	{name: "ErrAddr", args: []string{"--addr", "localhost"}, err: "--addr: not host:port"},
	{name: "ErrAddrPort", args: []string{"--addr", "localhost:99999"}, err: "--addr"},
	{name: "ErrMaxBody", args: []string{"--max-body", "-1"}, err: "--max-body: must be positive"},
	{name: "ErrMaxBodyUnit", args: []string{"--max-body", "3 parsecs"}, err: "--max-body: not a size"},
	{name: "ErrOrigin", args: []string{"--cors-origins", "https://ok.example.com,ftp://files.example.com"}, err: `--cors-origins: origin "ftp://files.example.com"`},
	{name: "ErrOriginPath", args: []string{"--cors-origins", "https://example.com/app"}, err: "--cors-origins"},
	{name: "ErrPprofEnv", env: map[string]string{"CHIPGRAPH_PPROF": "maybe"}, err: "CHIPGRAPH_PPROF for flag --pprof"},
	{name: "ErrDataEmpty", args: []string{"--data", " "}, err: "--data: must not be empty"},
	{name: "ErrUnknownFlag", args: []string{"--port", "80"}, err: "flag provided but not defined: --port"},
	{name: "ErrMissingValue", args: []string{"--addr"}, err: "flag needs an argument: --addr"},
	{name: "ErrArgument", args: []string{"extra"}, err: `unexpected argument "extra"`},
	{name: "ErrBlockCacheSmall", args: []string{"--block-cache", "64KiB"}, err: "--block-cache: must be at least 1MiB"},
	{name: "ErrExecutor", args: []string{"--executor", "fast"}, err: `invalid value "fast" for flag --executor: must be "compiled" or "graphql-go"`},
	{name: "ErrHTTPServer", args: []string{"--http-server", "fasthttp"}, err: `invalid value "fasthttp" for flag --http-server: must be "chipgraph" or "net/http"`},
	{name: "ErrRecordCacheUnit", args: []string{"--record-cache", "lots"}, err: "--record-cache: not a size"},
}

func TestServeParseFlags(t *testing.T) {
	for _, tt := range serveFlagTests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := testCLI(tt.env, "")
			m := c.newMain()
			m.Logger = log.New(&bytes.Buffer{}, "", 0)
			err := m.ParseFlags(context.Background(), tt.args)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseFlags(%q) error = %v, want one containing %q", tt.args, err, tt.err)
				}
				if code := c.exit(err); code != 2 {
					t.Errorf("exit code %d, want 2", code)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseFlags(%q): %v", tt.args, err)
			}
			want := DefaultConfig()
			tt.edit(&want)
			if !reflect.DeepEqual(m.Config, want) {
				t.Errorf("ParseFlags(%q) config\n got %+v\nwant %+v", tt.args, m.Config, want)
			}
		})
	}
}

// TestWriteTokenNotEchoed checks that a token on the command line draws a
// warning that names the environment variable, and is never printed.
func TestWriteTokenNotEchoed(t *testing.T) {
	const token = "tok-9f8e7d6c5b4a"
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		warn bool
	}{
		{"Flag", []string{"--write-token", token}, nil, true},
		{"Env", nil, map[string]string{"CHIPGRAPH_WRITE_TOKEN": token}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, stdout, stderr := testCLI(tt.env, "")
			var logs bytes.Buffer
			m := c.newMain()
			m.Logger = log.New(&logs, "", 0)
			if err := m.ParseFlags(context.Background(), tt.args); err != nil {
				t.Fatal(err)
			}
			if m.Config.WriteToken != token {
				t.Errorf("WriteToken = %q, want %q", m.Config.WriteToken, token)
			}
			out := logs.String() + stdout.String() + stderr.String()
			if strings.Contains(out, token) {
				t.Errorf("the token was printed: %q", out)
			}
			if got := strings.Contains(logs.String(), "CHIPGRAPH_WRITE_TOKEN"); got != tt.warn {
				t.Errorf("warning about the command line = %v, want %v (log %q)", got, tt.warn, logs.String())
			}
		})
	}
	// --help shows no token default even when one is set.
	r := runCLI(t, map[string]string{"CHIPGRAPH_WRITE_TOKEN": token}, "", "serve", "--help")
	if strings.Contains(r.stdout, token) {
		t.Errorf("serve --help printed the token")
	}
}

func TestImportParseFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want importConfig
		err  string
	}{
		{name: "Defaults", args: []string{"a.ndjson"}, want: importConfig{DataDir: DefaultDataDir, Files: []string{"a.ndjson"}}},
		{
			name: "Env", args: []string{"a.ndjson", "b.ndjson"}, env: map[string]string{"CHIPGRAPH_DATA": "/d", "CHIPGRAPH_BY": "nightly"},
			want: importConfig{DataDir: "/d", By: "nightly", Files: []string{"a.ndjson", "b.ndjson"}},
		},
		{
			name: "FlagsAfterFiles", args: []string{"a.ndjson", "--by", "me", "-", "--data=x"}, env: map[string]string{"CHIPGRAPH_BY": "nightly"},
			want: importConfig{DataDir: "x", By: "me", Files: []string{"a.ndjson", "-"}},
		},
		{name: "DoubleDash", args: []string{"--", "--odd.ndjson"}, want: importConfig{DataDir: DefaultDataDir, Files: []string{"--odd.ndjson"}}},
		{name: "ErrNoFile", err: "no file given"},
		{name: "ErrStdinTwice", args: []string{"-", "-"}, err: "more than once"},
		{name: "ErrData", args: []string{"--data=", "a"}, err: "--data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := testCLI(tt.env, "")
			got, err := c.parseImportFlags(tt.args)
			checkParse(t, tt.args, got, tt.want, err, tt.err)
		})
	}
}

func TestQueryParseFlags(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		stdin string
		want  queryConfig
		err   string
	}{
		{name: "Arg", args: []string{"{ __typename }"}, want: queryConfig{DataDir: DefaultDataDir, Query: "{ __typename }"}},
		{name: "Stdin", stdin: "{ a }", want: queryConfig{DataDir: DefaultDataDir, Query: "{ a }"}},
		{name: "StdinDash", args: []string{"--write", "-"}, stdin: "{ a }", want: queryConfig{DataDir: DefaultDataDir, Query: "{ a }", Write: true}},
		{
			name: "VarsAndOperation", args: []string{"--vars", `{"key":"h100","n":2}`, "--operation", "Q", "query Q { a }"},
			want: queryConfig{DataDir: DefaultDataDir, Vars: map[string]any{"key": "h100", "n": 2.0}, Operation: "Q", Query: "query Q { a }"},
		},
		{
			name: "Env", args: []string{"{ a }"}, env: map[string]string{"CHIPGRAPH_DATA": "/d", "CHIPGRAPH_WRITE": "true", "CHIPGRAPH_VARS": `{"k":1}`},
			want: queryConfig{DataDir: "/d", Write: true, Vars: map[string]any{"k": 1.0}, Query: "{ a }"},
		},
		{name: "ErrVarsNotJSON", args: []string{"--vars", "{key:1}", "{ a }"}, err: "for flag --vars: not valid JSON"},
		{name: "ErrVarsArray", args: []string{"--vars", "[1]", "{ a }"}, err: "for flag --vars: not a JSON object"},
		{name: "ErrWriteEnv", args: []string{"{ a }"}, env: map[string]string{"CHIPGRAPH_WRITE": "sure"}, err: "CHIPGRAPH_WRITE for flag --write"},
		{name: "ErrEmpty", stdin: " \n", err: "empty query"},
		{name: "ErrTwoQueries", args: []string{"{ a }", "{ b }"}, err: "give one query"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, _ := testCLI(tt.env, tt.stdin)
			got, err := c.parseQueryFlags(tt.args)
			checkParse(t, tt.args, got, tt.want, err, tt.err)
		})
	}
}

func TestExportAndGenParseFlags(t *testing.T) {
	c, _, _ := testCLI(map[string]string{"CHIPGRAPH_OUT": "env.ndjson", "CHIPGRAPH_DATA": "/d"}, "")
	ex, err := c.parseExportFlags([]string{"--out", "flag.ndjson"})
	checkParse(t, nil, ex, exportConfig{DataDir: "/d", Out: "flag.ndjson"}, err, "")
	_, err = c.parseExportFlags([]string{"out.ndjson"})
	checkParse(t, nil, exportConfig{}, exportConfig{}, err, "use --out FILE")

	c, _, _ = testCLI(map[string]string{"CHIPGRAPH_SEED": "42"}, "")
	g, err := c.parseGenFlags([]string{"--scale", "0.01"})
	checkParse(t, nil, g, genConfig{Scale: 0.01, Seed: 42}, err, "")
	g, err = c.parseGenFlags(nil)
	checkParse(t, nil, g, genConfig{Scale: 1, Seed: 42}, err, "")
	for _, bad := range []string{"0", "-1", "NaN", "big"} {
		_, err = c.parseGenFlags([]string{"--scale", bad})
		checkParse(t, nil, genConfig{}, genConfig{}, err, "--scale")
	}
	_, err = c.parseGenFlags([]string{"--seed", "1.5"})
	checkParse(t, nil, genConfig{}, genConfig{}, err, "--seed")
}

// checkParse compares a parsed configuration, or checks that the error
// contains wantErr and is a usage error (exit code 2).
func checkParse(t *testing.T, args []string, got, want any, err error, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("parse(%q) error = %v, want one containing %q", args, err, wantErr)
		} else if _, ok := err.(*usageError); !ok {
			t.Errorf("parse(%q) error %v is a %T, want *usageError (exit code 2)", args, err, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("parse(%q): %v", args, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parse(%q)\n got %+v\nwant %+v", args, got, want)
	}
}

func TestByteSize(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		str  string
	}{
		{"1048576", 1 << 20, "1MiB"}, {"512KiB", 512 << 10, "512KiB"}, {"2mb", 2e6, "2000000"},
		{"1 GiB", 1 << 30, "1GiB"}, {"1536", 1536, "1536"}, {"3K", 3 << 10, "3KiB"}, {"10B", 10, "10"},
	} {
		var b byteSize
		if err := b.Set(tt.in); err != nil {
			t.Errorf("Set(%q): %v", tt.in, err)
			continue
		}
		if int64(b) != tt.want || b.String() != tt.str {
			t.Errorf("Set(%q) = %d (%s), want %d (%s)", tt.in, int64(b), b.String(), tt.want, tt.str)
		}
	}
}

func TestCacheOptions(t *testing.T) {
	for _, tc := range []struct {
		record, block int64
		wantRecord    int
	}{
		{64 << 20, 32 << 20, 64 << 20},
		{0, 1 << 20, -1}, // --record-cache 0: none (0 would be the store's default)
	} {
		o := cacheOptions(Config{RecordCache: tc.record, BlockCache: tc.block})
		if o.CacheBytes != tc.wantRecord || o.BlockCacheBytes != int(tc.block) {
			t.Errorf("cacheOptions(%d, %d) = %d, %d; want %d, %d", tc.record, tc.block, o.CacheBytes, o.BlockCacheBytes, tc.wantRecord, tc.block)
		}
	}
}
