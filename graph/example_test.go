package graph_test

import (
	"fmt"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
)

func ExampleParseDate() {
	for _, s := range []string{"2025", "2025-Q4", "2025-12", "2025-12-02", "2025-12-02T18:30:00Z"} {
		d, _ := graph.ParseDate("released", s)
		fmt.Printf("%-22s %-10s %-8s %s .. %s\n", s, d, d.Precision,
			d.Start().Format("2006-01-02"), d.End().Format("2006-01-02"))
	}
	_, err := graph.ParseDate("released", "2025-13")
	fmt.Println(err)
	// Output:
	// 2025                   2025       year     2025-01-01 .. 2026-01-01
	// 2025-Q4                2025-Q4    quarter  2025-10-01 .. 2026-01-01
	// 2025-12                2025-12    month    2025-12-01 .. 2026-01-01
	// 2025-12-02             2025-12-02 day      2025-12-02 .. 2025-12-03
	// 2025-12-02T18:30:00Z   2025-12-02 day      2025-12-02 .. 2025-12-03
	// released: malformed date "2025-13" (want YYYY, YYYY-Qn, YYYY-MM or YYYY-MM-DD)
}

func ExampleNormalize() {
	fmt.Println(graph.Normalize("NVIDIA") == graph.Normalize("Nvidia"))
	fmt.Println(graph.Normalize("José Pérez"))
	fmt.Println(graph.Normalize("Amazon Web Services (AWS)"))
	fmt.Println(graph.Tokens("Taiwan Semiconductor Manufacturing Co., Ltd."))
	// Output:
	// true
	// jose perez
	// amazon web services aws
	// [taiwan semiconductor manufacturing co ltd]
}

func ExampleLocateQuote() {
	text := "Jassy said: “Trainium is\n  fully subscribed.” Größe: 3 nm."
	start, end, ok := graph.LocateQuote(text, `"Trainium is fully subscribed."`)
	fmt.Println(ok, start, end)
	fmt.Printf("%q\n", text[start:end])
	_, _, ok = graph.LocateQuote(text, "sold out")
	fmt.Println(ok)
	// Output:
	// true 12 49
	// "“Trainium is\n  fully subscribed.”"
	// false
}

func ExampleReadRecords() {
	const file = `{"type":"source","key":"aws-blog","url":"https://example.com/trainium3","text":"Trainium3 has 144 GB of HBM3e."}
{"type":"entity","key":"trainium3","kind":"Chip","name":"Trainium3"}
{"type":"statement","subject":"trainium3","predicate":"memory","object":{"amount":144,"unit":"GB"},"references":[{"source":"aws-blog","quote":"144 GB of HBM3e"}]}
`
	recs, err := graph.ReadRecords(strings.NewReader(file), "seed.ndjson")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range recs {
		fmt.Println(r.Line, r.Type, r.Key())
	}
	// Output:
	// 1 source aws-blog
	// 2 entity trainium3
	// 3 statement st-61f74095d7c830ec83e8
}

func ExampleStatementKey() {
	q := graph.Qualifiers{Extra: map[string]string{"precision": "FP8"}}
	a := graph.StatementKey("trainium3", "peakPerformance", graph.Quantity(2.52, "PFLOP/s"), q)
	b := graph.StatementKey("trainium3", "peakPerformance", graph.Quantity(2.52, "PFLOP/s"), q)
	c := graph.StatementKey("trainium3", "peakPerformance", graph.Quantity(2.52, "PFLOP/s"),
		graph.Qualifiers{Extra: map[string]string{"precision": "BF16"}})
	fmt.Println(a)
	fmt.Println(a == b, a == c)
	// Output:
	// st-15fc1d333acad5c9be8e
	// true false
}
