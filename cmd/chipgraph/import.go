package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/store"
)

const importAbout = `Import writes NDJSON record files into the store: one JSON record per line
(source, entity, statement, claim or retract), as export writes them. Each
file is all or nothing: a bad record writes nothing of its file, and the
error names the file and line. Files are imported in order; a failing file
stops the command, and the files before it stay imported. "-" reads
standard input. The store must not be open in a running server.`

// importConfig is the configuration of the import command.
type importConfig struct {
	DataDir string
	By      string // "" means "import:<file base name>"
	Files   []string
	// CPUProfile, if set, is where the import writes its CPU profile.
	CPUProfile string
}

func (c *cli) parseImportFlags(args []string) (importConfig, error) {
	cfg := importConfig{DataDir: DefaultDataDir}
	fs := c.newFlagSet("import", "FILE...", importAbout)
	fs.Var((*nonEmpty)(&cfg.DataDir), "data", "store `directory` (created if missing)")
	fs.StringVar(&cfg.By, "by", "", "`name` the history records as the writer (default \"import:<file name>\")")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write the import's CPU profile to `file`")
	pos, err := fs.parse(args)
	if err != nil {
		return cfg, err
	}
	if len(pos) == 0 {
		return cfg, fs.usageError("no file given (use - for standard input)")
	}
	if stdin := countOf(pos, "-"); stdin > 1 {
		return cfg, fs.usageError("standard input (-) given more than once")
	}
	cfg.Files = pos
	return cfg, nil
}

func (c *cli) importFiles(ctx context.Context, args []string) error {
	cfg, err := c.parseImportFlags(args)
	if err != nil {
		return err
	}
	if cfg.CPUProfile != "" {
		stop, err := startCPUProfile(cfg.CPUProfile)
		if err != nil {
			return err
		}
		defer stop()
	}
	// Nothing else reads the store while it imports (Badger locks its
	// directory): a bulk import may write Badger's tables itself.
	st, err := openStoreWith(ctx, cfg.DataDir, false, log.New(c.stderr, "", 0), store.Options{Exclusive: true})
	if err != nil {
		return err
	}
	var done []string
	for _, name := range cfg.Files {
		if err := c.importFile(ctx, st, name, cfg.By); err != nil {
			msg := fmt.Sprintf("%v\nnothing from %s was written", err, displayName(name))
			if len(done) > 0 {
				msg += "; the files before it stay imported: " + strings.Join(done, ", ")
			}
			return errors.Join(errors.New(msg), st.Close())
		}
		done = append(done, displayName(name))
	}
	return st.Close()
}

func displayName(file string) string {
	if file == "-" {
		return "stdin"
	}
	return file
}

// recordBytes is about the length of a record's line: 270 bytes in
// generated scale-1 data (exports, with recorded times, run longer).
const recordBytes = 256

// importFile reads one file and writes it with one store.Import, then
// prints its summary on stdout.
func (c *cli) importFile(ctx context.Context, st *store.Store, file, by string) (err error) {
	name := displayName(file)
	if by == "" {
		by = "import:" + filepath.Base(name)
	}
	r := c.stdin
	size := 0           // the file's records, estimated (0: not known)
	var fileBytes int64 // the file's length (0: not known)
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = int(fi.Size() / recordBytes)
			fileBytes = fi.Size()
		}
	}

	start := time.Now()
	p := startProgress(c.stderr, c.terminal, name, fileBytes)
	defer p.end()
	cr := &countingReader{r: r}
	r = cr
	// Records go to the store as they are read (ImportFrom).
	n, facts := 0, 0
	scan := func(yield func(graph.Record) error) error {
		return graph.ScanRecords(r, name, func(rec graph.Record) error {
			n++
			if rec.Type == graph.StatementRecord || rec.Type == graph.ClaimRecord {
				facts++
			}
			p.read(n, cr.n.Load())
			if err := ctx.Err(); err != nil {
				return err
			}
			return yield(rec)
		})
	}
	res, err := st.ImportFrom(ctx, by, scan, size, p.written)
	if err != nil {
		var le *graph.LineError
		if errors.As(err, &le) && le.File == "" {
			le.File = name // store errors carry the line, not the file
		}
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("%s: import interrupted", name)
		}
		return err
	}
	p.end()

	elapsed := time.Since(start)
	fmt.Fprintf(c.stdout, "%s: %s records, %s written, %s unchanged; %s facts/s; %s\n",
		name, commas(n), commas(res.Written), commas(res.Unchanged),
		commas(int(rate(facts, elapsed))), roundDuration(elapsed))
	return nil
}

// Progress display, drawn on stderr when it is a terminal.

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// progress draws one updating status line for an import. A nil *progress
// (not a terminal) does nothing.
type progress struct {
	w     io.Writer
	name  string
	since time.Time
	total int64 // the file's bytes (0: not known, as for stdin)

	mu              sync.Mutex
	nread, nwritten int
	bytes           int64 // of the file, read
	drawn           bool

	stop chan struct{}
	wg   sync.WaitGroup
}

func startProgress(w io.Writer, terminal bool, name string, total int64) *progress {
	if !terminal {
		return nil
	}
	p := &progress{w: w, name: name, since: time.Now(), total: total, stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// read records that n records, in the file's first bytes, have been read.
func (p *progress) read(n int, bytes int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.nread, p.bytes = n, bytes
	p.mu.Unlock()
}

// written records that the store has written n records (it reports
// after each chunk).
func (p *progress) written(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.nwritten = n
	p.mu.Unlock()
}

// draw rewrites the status line; p.mu is held.
func (p *progress) draw() {
	fmt.Fprintf(p.w, "\r\x1b[K%s", p.line(time.Since(p.since)))
	p.drawn = true
}

// line is the status after el: records read (and the share of the file)
// and written, the rate of reading, and the time the rest of the file
// will take at that pace; once it is read, the store's last step.
func (p *progress) line(el time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s records read", p.name, commas(p.nread))
	if p.total > 0 {
		fmt.Fprintf(&b, " (%d%%)", min(100, p.bytes*100/p.total))
	}
	fmt.Fprintf(&b, ", %s written  %s records/s", commas(p.nwritten), commas(int(rate(p.nread, el))))
	switch {
	case p.total > 0 && p.bytes >= p.total:
		b.WriteString("  writing the store")
	case p.total > 0 && p.bytes > 0:
		eta := time.Duration(float64(el) * float64(p.total-p.bytes) / float64(p.bytes))
		fmt.Fprintf(&b, "  ETA %s", roundDuration(eta).Round(time.Second))
	}
	fmt.Fprintf(&b, "  %s", roundDuration(el))
	return b.String()
}

// end stops drawing and clears the line. It may be called more than once.
func (p *progress) end() {
	if p == nil || p.stop == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.stop = nil
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		d = time.Microsecond
	}
	return float64(n) / d.Seconds()
}

func roundDuration(d time.Duration) time.Duration {
	switch {
	case d < time.Millisecond:
		return d.Round(time.Microsecond)
	case d < time.Second:
		return d.Round(time.Millisecond)
	case d < time.Minute:
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// commas formats n with thousands separators: 1234567 → "1,234,567".
func commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func countOf(ss []string, s string) int {
	n := 0
	for _, v := range ss {
		if v == s {
			n++
		}
	}
	return n
}
