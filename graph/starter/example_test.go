package starter_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/graph/starter"
)

// EpochRecords turns each row into a chip with statements, each citing the
// row's first datasheet link (or the dataset when the row has none) and
// naming the row and column it came from.
func ExampleEpochRecords() {
	const csv = `Hardware name,Manufacturer,Type,Release date,TDP (W),FP8 performance (FLOP/s),Foundry,Process size (nm),Link to datasheet,Last modified
Amazon Trainium3,Amazon AWS,GPU,2025-12-02,700.0,2517000000000000.0,TSMC,,"https://example.com/trn3
https://example.com/more",2025-12-05 21:21:23+00:00
Huawei Ascend 910C,Huawei,GPU,2024-10-15,,,"SMIC,TSMC",7.0,,2025-11-01 10:00:00+00:00
`
	recs, err := starter.EpochRecords(strings.NewReader(csv), "ml_hardware.csv")
	if err != nil {
		log.Fatal(err)
	}
	urls := map[string]string{}
	for _, r := range recs {
		switch r.Type {
		case graph.SourceRecord:
			urls[r.Source.Key] = r.Source.URL
			fmt.Printf("source %s: %s\n", r.Source.Kind, r.Source.URL)
		case graph.EntityRecord:
			fmt.Printf("entity %s %s %q %q\n", r.Entity.Kind, r.Entity.Key, r.Entity.Name, r.Entity.Aliases)
		case graph.StatementRecord:
			s := r.Statement
			ref := s.References[0]
			fmt.Printf("%s %s %s", s.Subject, s.Predicate, s.Object)
			if p := s.Qualifiers.Extra["precision"]; p != "" {
				fmt.Printf(" [%s]", p)
			}
			fmt.Printf(" <- %s (%s)\n", urls[ref.Source], ref.Retrieved)
		}
	}
	// Output:
	// source dataset: https://epoch.ai/data/machine-learning-hardware
	// source datasheet: https://example.com/trn3
	// entity Company aws "Amazon Web Services" ["AWS" "Amazon AWS"]
	// entity Company huawei "Huawei" []
	// entity Foundry tsmc "TSMC" ["Taiwan Semiconductor Manufacturing Company"]
	// entity Foundry smic "SMIC" ["Semiconductor Manufacturing International Corporation"]
	// entity ProcessNode node-7nm "7 nm" ["7nm"]
	// entity Chip trainium3 "Trainium3" ["Amazon Trainium3" "Trn3"]
	// entity Chip huawei-ascend-910c "Huawei Ascend 910C" ["Ascend 910C"]
	// node-7nm featureSize 7 nm <- https://epoch.ai/data/machine-learning-hardware ()
	// trainium3 designedBy aws <- https://example.com/trn3 (2025-12-05)
	// trainium3 manufacturedBy tsmc <- https://example.com/trn3 (2025-12-05)
	// trainium3 releaseDate 2025-12-02 <- https://example.com/trn3 (2025-12-05)
	// trainium3 chipType GPU <- https://example.com/trn3 (2025-12-05)
	// trainium3 tdp 700 W <- https://example.com/trn3 (2025-12-05)
	// trainium3 peakPerformance 2517000000000000 FLOP/s [FP8] <- https://example.com/trn3 (2025-12-05)
	// huawei-ascend-910c designedBy huawei <- https://epoch.ai/data/machine-learning-hardware (2025-11-01)
	// huawei-ascend-910c manufacturedBy smic <- https://epoch.ai/data/machine-learning-hardware (2025-11-01)
	// huawei-ascend-910c manufacturedBy tsmc <- https://epoch.ai/data/machine-learning-hardware (2025-11-01)
	// huawei-ascend-910c processNode node-7nm <- https://epoch.ai/data/machine-learning-hardware (2025-11-01)
	// huawei-ascend-910c releaseDate 2024-10-15 <- https://epoch.ai/data/machine-learning-hardware (2025-11-01)
	// huawei-ascend-910c chipType GPU <- https://epoch.ai/data/machine-learning-hardware (2025-11-01)
}
