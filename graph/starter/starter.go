// Package starter holds chipgraph's starter data: the seed news article
// with the facts and claims hand-extracted from it (seed.ndjson), and Epoch
// AI's ML hardware dataset (CC BY 4.0, see epoch/ATTRIBUTION.md) with its
// converter. Records returns all of it as records ready to write.
package starter

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"slices"

	"github.com/chipgraph/chipgraph/graph"
)

// The embedded files. article.txt and epoch/ml_hardware.csv are
// byte-identical copies of their originals; epoch/ATTRIBUTION.md and
// epoch/README.md carry the dataset's licence and citation with it.
//
//go:embed article.txt seed.ndjson epoch/ml_hardware.csv epoch/ATTRIBUTION.md epoch/README.md
var files embed.FS

// FS returns the embedded files: article.txt, seed.ndjson,
// epoch/ml_hardware.csv, epoch/ATTRIBUTION.md and epoch/README.md.
func FS() fs.FS { return files }

// SeedArticleKey is the key of the seed article's source record.
const SeedArticleKey = "seed-article"

// epochRetrieved is when the embedded Epoch CSV was copied (ATTRIBUTION.md).
var epochRetrieved = graph.MustDate("2025-12-24")

// SeedArticle returns the seed article as a source, with its full text.
// Its URL, publisher, author and date are unknown and left empty.
func SeedArticle() (*graph.Source, error) {
	text, err := files.ReadFile("article.txt")
	if err != nil {
		return nil, err
	}
	return &graph.Source{
		Key:   SeedArticleKey,
		Kind:  graph.NewsArticle,
		Title: "Amazon AWS Eyes $50 Billion AI Chip Market to Challenge Nvidia",
		Text:  string(text),
	}, nil
}

// Records returns every starter record in write order: sources first, then
// entities, then statements and claims. It holds the seed article, Epoch's
// dataset, the records of seed.ndjson and the converted Epoch rows. An
// entity both define (aws, nvidia, intel, tsmc, ...) is written once with
// the seed's name and description and the union of the aliases; a
// statement both make is written once with both references.
func Records() ([]graph.Record, error) {
	article, err := SeedArticle()
	if err != nil {
		return nil, err
	}
	seed, err := files.ReadFile("seed.ndjson")
	if err != nil {
		return nil, err
	}
	seedRecs, err := graph.ReadRecords(bytes.NewReader(seed), "seed.ndjson")
	if err != nil {
		return nil, err
	}
	csv, err := files.ReadFile("epoch/ml_hardware.csv")
	if err != nil {
		return nil, err
	}
	epochRecs, err := convertEpoch(bytes.NewReader(csv), "ml_hardware.csv", EpochSource(epochRetrieved))
	if err != nil {
		return nil, err
	}
	all := append([]graph.Record{{Type: graph.SourceRecord, Source: article}}, seedRecs...)
	return merge(append(all, epochRecs...))
}

// merge orders records by type (sources, entities, then statements and
// claims, each in input order) and folds records with the same key into
// the first: entities gain the later aliases, statements the later
// references. Any other duplicate is an error. Every record is validated.
func merge(recs []graph.Record) ([]graph.Record, error) {
	var sources, entities, facts []graph.Record
	srcByKey := map[string]*graph.Source{}
	entByKey := map[string]*graph.Entity{}
	stByKey := map[string]*graph.Statement{}
	claims := map[string]bool{}
	for _, rec := range recs {
		if err := rec.Validate(); err != nil {
			return nil, fmt.Errorf("%s record %q: %w", rec.Type, rec.Key(), err)
		}
		switch rec.Type {
		case graph.SourceRecord:
			s := rec.Source
			if prev, ok := srcByKey[s.Key]; ok {
				if prev.URL != s.URL || prev.SHA256 != s.SHA256 {
					return nil, fmt.Errorf("source %q is defined twice, differently", s.Key)
				}
				continue
			}
			srcByKey[s.Key] = s
			sources = append(sources, rec)
		case graph.EntityRecord:
			e := rec.Entity
			if prev, ok := entByKey[e.Key]; ok {
				if prev.Kind != e.Kind {
					return nil, fmt.Errorf("entity %q is both a %s and a %s", e.Key, prev.Kind, e.Kind)
				}
				prev.Aliases = appendAliases(prev.Aliases, prev.Name, e.Names()...)
				continue
			}
			entByKey[e.Key] = e
			entities = append(entities, rec)
		case graph.StatementRecord:
			s := rec.Statement
			if prev, ok := stByKey[s.Key]; ok {
				for _, r := range s.References {
					if !slices.Contains(prev.References, r) {
						prev.References = append(prev.References, r)
					}
				}
				continue
			}
			stByKey[s.Key] = s
			facts = append(facts, rec)
		case graph.ClaimRecord:
			if claims[rec.Claim.Key] {
				return nil, fmt.Errorf("claim %q is defined twice", rec.Claim.Key)
			}
			claims[rec.Claim.Key] = true
			facts = append(facts, rec)
		default:
			return nil, fmt.Errorf("unexpected %s record in starter data", rec.Type)
		}
	}
	return append(append(sources, entities...), facts...), nil
}
