package server

import (
	"reflect"
	"strings"
	"testing"
)

// bodyCases are POST bodies parseBody must read exactly as decodeBody
// (encoding/json) does, or leave to it.
var bodyCases = []struct {
	body string
	fast bool // parseBody reads it
}{
	{`{"query":"{ a }"}`, true},
	{` { "query" : "{ a }" , "operationName" : null , "variables" : null } `, true},
	{`{"query":"query Q($k: String!) { chip(key: $k) { key } }","operationName":"Q","variables":{"k":"h100"}}`, true},
	{`{"query":"q","variables":{"n":1,"f":-2.5e3,"z":0,"b":true,"c":false,"x":null,"l":[1,"a",[],{}],"o":{"p":{"q":[null]}}}}`, true},
	{`{"query":"esc \" \\ \/ \b \f \n \r \t \u00e9 \u4e2d","extensions":{"persistedQuery":{"version":1}}}`, true},
	{`{"query":"naïve – “quotes” 中文","other":[1,2,{"x":"y"}],"more":true}`, true},
	{`{"query":"q","variables":{}}`, true},
	{`{"variables":{"a":1},"query":"q"}`, true},

	// Left to encoding/json: errors, and what it rewrites.
	{`{}`, false},
	{`{"query":null}`, false},
	{`{"query":1}`, false},
	{`{"query":"q","operationName":5}`, false},
	{`{"query":"q","variables":[1]}`, false},
	{`{"query":"q","variables":"x"}`, false},
	{`{"query":"q","extensions":1}`, false},
	{`{"query":"q",}`, false},
	{`{"query":"q"} x`, false},
	{`{"query":"q","query":"r"}`, false},
	{`{"query":"q","variables":{"a":1,"a":2}}`, false},
	{`{"query":"\ud83d\ude00"}`, false},
	{"{\"query\":\"bad \xff\"}", false},
	{"{\"query\":\"tab\there\"}", false},
	{`{"query":"q","variables":{"n":01}}`, false},
	{`{"query":"q","variables":{"n":1.}}`, false},
	{`{"query":"q","variables":{"n":1e999}}`, false},
	{`{"query":"q","variables":{"n":tru}}`, false},
	{`{"query":"\x"}`, false},
	{`{"query":"q"`, false},
	{`{"query":"q","variables":{"d":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}}`, false},
}

func TestParseBody(t *testing.T) {
	for _, tc := range bodyCases {
		got, ok := parseBody([]byte(tc.body))
		if ok != tc.fast {
			t.Errorf("parseBody(%s) ok = %v, want %v", tc.body, ok, tc.fast)
			continue
		}
		if !ok {
			continue
		}
		want, rerr := decodeBody([]byte(tc.body))
		if rerr != nil {
			t.Errorf("parseBody(%s) read a body decodeBody refuses: %s", tc.body, rerr.message)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("parseBody(%s)\n got %#v\nwant %#v", tc.body, got, want)
		}
	}
}

// FuzzParseBody checks that whatever parseBody reads, encoding/json reads
// to the same values.
func FuzzParseBody(f *testing.F) {
	for _, tc := range bodyCases {
		f.Add(tc.body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		got, ok := parseBody([]byte(body))
		if !ok {
			return
		}
		want, rerr := decodeBody([]byte(body))
		if rerr != nil {
			t.Fatalf("parseBody(%q) read a body decodeBody refuses: %s", body, rerr.message)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parseBody(%q)\n got %#v\nwant %#v", body, got, want)
		}
	})
}
