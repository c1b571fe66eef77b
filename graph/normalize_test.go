package graph_test

import (
	"slices"
	"testing"
	"unicode"

	"github.com/chipgraph/chipgraph/graph"
)

var normalizeTests = []struct {
	in, want string
}{
	// Case folds.
	{"NVIDIA", "nvidia"},
	{"Nvidia", "nvidia"},
	{"nvidia", "nvidia"},
	// Accents are removed, precomposed or combining.
	{"Pérez", "perez"},
	{"Pe\u0301rez", "perez"},
	{"Ångström", "angstrom"},
	{"Łukasz Żółć", "lukasz zolc"},
	{"Straße", "strasse"},
	{"Œuvre", "oeuvre"},
	// Punctuation and space runs become one space, trimmed.
	{"Amazon Web Services (AWS)", "amazon web services aws"},
	{"  Taiwan   Semiconductor\tManufacturing\n", "taiwan semiconductor manufacturing"},
	{"AT&T", "at t"},
	{"Alphabet, Inc.", "alphabet inc"},
	{"H100-SXM5", "h100 sxm5"},
	{"O’Brien", "o brien"},
	{"--x--", "x"},
	// Digits and non-Latin letters are kept.
	{"TSMC N3E", "tsmc n3e"},
	{"華為", "華為"},
	// Nothing left.
	{"", ""},
	{" ... ", ""},
}

func TestNormalize(t *testing.T) {
	for _, tt := range normalizeTests {
		if got := graph.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		// Normalize is idempotent.
		if got := graph.Normalize(tt.want); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q (idempotent)", tt.want, got, tt.want)
		}
	}
}

var tokensTests = []struct {
	in   string
	want []string
}{
	{"Amazon Web Services (AWS)", []string{"amazon", "web", "services", "aws"}},
	{"José  Pérez-García", []string{"jose", "perez", "garcia"}},
	{"Trainium3", []string{"trainium3"}},
	{"", nil},
	{"!!!", nil},
}

func TestTokens(t *testing.T) {
	for _, tt := range tokensTests {
		got := graph.Tokens(tt.in)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every ASCII character normalizes as the Unicode rules say: letters
// lowercased, digits kept, everything else a word break.
func TestNormalizeASCII(t *testing.T) {
	for c := rune(0); c < 128; c++ {
		var want string
		switch r := unicode.ToLower(c); {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			want = "x" + string(r) + "y"
		default:
			want = "x y"
		}
		if got := graph.Normalize("x" + string(c) + "y"); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", "x"+string(c)+"y", got, want)
		}
	}
}
