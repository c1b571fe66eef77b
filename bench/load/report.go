package load

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Startup is the time from a server's start to its first answered query.
type Startup struct {
	Kind    string    `json:"kind"` // "startup"
	Start   time.Time `json:"start"`
	Ready   time.Time `json:"ready"`
	Seconds float64   `json:"seconds"`
}

// NewStartup returns the Startup between started and ready.
func NewStartup(started, ready time.Time) Startup {
	return Startup{Kind: "startup", Start: started.UTC(), Ready: ready.UTC(), Seconds: ready.Sub(started).Seconds()}
}

// WriteJSON writes each value as one JSON line.
func WriteJSON[T any](w io.Writer, vs ...T) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

// WriteTable writes results as an aligned text table, followed by the
// error samples.
func WriteTable(w io.Writer, rs []Result) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\tclients\tseconds\trequests\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\terrors\tsrv CPU µs/req\tgen CPU µs/req\tsrv RSS MiB\tload\t")
	for _, r := range rs {
		name := r.Query
		if r.Mix {
			name = "  " + name
		}
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%d\t%.0f\t%.3f\t%.3f\t%.3f\t%.1f\t%d\t%s\t%s\t%s\t%.2f\t\n",
			name, r.Clients, r.Seconds, r.Requests, r.RPS, r.P50, r.P90, r.P99, r.Max, r.Errors,
			orDash(r.ServerCPU, 0), orDash(r.ClientCPU, 0), orDash(float64(r.ServerRSS)/(1<<20), 0), r.LoadAvg)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rs {
		if len(r.ErrorSample) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s: %d errors, the first %d:\n", r.Query, r.Errors, len(r.ErrorSample))
		for _, e := range r.ErrorSample {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(e, "\n", " "))
		}
	}
	return nil
}

func orDash(v float64, prec int) string {
	if v == 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}
