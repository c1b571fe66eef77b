package server

import (
	"slices"
	"strings"
)

// docInfo is what a single cheap pass over a GraphQL document finds before
// any parsing: how deeply its braces nest, and its operations.
type docInfo struct {
	depth   int  // deepest brace nesting seen
	tooDeep bool // depth went past the limit; the scan stopped there
	ops     []operation
	// asOf names the variables the document uses only as the value of
	// arguments named asOf (read views' transaction time: see
	// TestAsOfArguments in package schema), at least once and nowhere
	// else. The response cache may treat two such values that fall at or
	// after the newest change as equal.
	asOf []string
}

// onlyAsOf reports whether the document uses variable name only as an
// asOf argument.
func (d docInfo) onlyAsOf(name string) bool { return slices.Contains(d.asOf, name) }

// operation is one operation definition: its type ("query", "mutation" or
// "subscription") and name ("" when anonymous).
type operation struct {
	typ, name string
}

// operationType returns the type of the operation a request with
// operationName would run, and false when that cannot be told (no such
// operation, or several and no name); execution then reports the error.
func (d docInfo) operationType(operationName string) (string, bool) {
	if operationName == "" {
		if len(d.ops) == 1 {
			return d.ops[0].typ, true
		}
		return "", false
	}
	for _, op := range d.ops {
		if op.name == operationName {
			return op.typ, true
		}
	}
	return "", false
}

// Where the scanner is among a document's top-level definitions.
const (
	betweenDefs = iota // expecting a keyword or "{"
	opHeader           // after query/mutation/subscription, before its "{"
	otherHeader        // after fragment (or anything else), before its "{"
	inBody             // inside a definition's selection set
)

// scanDocument lexes src just enough to count brace nesting and find each
// operation's keyword and name, skipping strings, block strings and comments.
// It stops as soon as the nesting exceeds maxDepth (when maxDepth > 0), so it
// costs at most one pass over the bytes. It does not validate: a malformed
// document is left for the parser to reject.
func scanDocument(src string, maxDepth int) docInfo {
	var (
		info    docInfo
		braces  int // open "{"
		nest    int // open "{", "(" and "["
		state   = betweenDefs
		afterAt bool // the previous token was "@": a name here is a directive
		named   bool // the current operation has its name
		// lastName is the previous token when it was a name, argName
		// the name before the ":" that was the previous token.
		lastName, argName string
		asOf, other       []string // variables used as asOf, and otherwise
	)
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '#':
			for i < len(src) && src[i] != '\n' && src[i] != '\r' {
				i++
			}
			continue
		case c == '"':
			i = skipString(src, i)
			afterAt = false
			lastName, argName = "", ""
			continue
		case c == '{':
			braces++
			if braces > info.depth {
				info.depth = braces
				if maxDepth > 0 && braces > maxDepth {
					info.tooDeep = true
					return info
				}
			}
			if nest == 0 {
				if state == betweenDefs {
					info.ops = append(info.ops, operation{typ: "query"}) // shorthand query
				}
				state = inBody
			}
			nest++
		case c == '}':
			braces = max(braces-1, 0)
			nest = max(nest-1, 0)
			if nest == 0 && state == inBody {
				state = betweenDefs
			}
		case c == '(' || c == '[':
			nest++
		case c == ')' || c == ']':
			nest = max(nest-1, 0)
		case c == '@':
			afterAt = true
			lastName, argName = "", ""
			i++
			continue
		case c == ':':
			argName, lastName = lastName, ""
			afterAt = false
			i++
			continue
		case c == '$':
			j := i + 1
			for j < len(src) && (isNameStart(src[j]) || isDigit(src[j])) {
				j++
			}
			// A variable's definition (in its operation's header) is not a use.
			if name := src[i+1 : j]; name != "" && !(state == opHeader && nest > 0) {
				if argName == "asOf" {
					asOf = append(asOf, name)
				} else {
					other = append(other, name)
				}
			}
			lastName, argName, afterAt = "", "", false
			i = j
			continue
		case isNameStart(c):
			j := i + 1
			for j < len(src) && (isNameStart(src[j]) || isDigit(src[j])) {
				j++
			}
			if nest == 0 {
				name := src[i:j]
				switch state {
				case betweenDefs:
					switch name {
					case "query", "mutation", "subscription":
						info.ops = append(info.ops, operation{typ: name})
						state, named = opHeader, false
					default:
						state = otherHeader
					}
				case opHeader:
					if !afterAt && !named {
						info.ops[len(info.ops)-1].name = name
						named = true
					}
				}
			}
			afterAt = false
			lastName, argName = src[i:j], ""
			i = j
			continue
		case isDigit(c) || c == '-':
			// A number; its exponent or a following letter is not a name.
			for i < len(src) && (isDigit(src[i]) || isNameStart(src[i]) || src[i] == '.' || src[i] == '+' || src[i] == '-') {
				i++
			}
			afterAt = false
			lastName, argName = "", ""
			continue
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',':
			i++ // insignificant: the tokens around it stay adjacent
			continue
		}
		afterAt = false
		lastName, argName = "", ""
		i++
	}
	for _, name := range asOf {
		if !slices.Contains(other, name) && !slices.Contains(info.asOf, name) {
			info.asOf = append(info.asOf, name)
		}
	}
	return info
}

// skipString returns the index just past the string or block string that
// starts at src[i]. An unterminated string runs to the end of its line
// (or, for a block string, of the document).
func skipString(src string, i int) int {
	if strings.HasPrefix(src[i:], `"""`) {
		// graph-gophers ends a block string at the first """, escaped or
		// not; ending where the parser does keeps the depth count honest.
		if j := strings.Index(src[i+3:], `"""`); j >= 0 {
			return i + 3 + j + 3
		}
		return len(src)
	}
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		case '\n', '\r':
			return j
		}
	}
	return len(src)
}

func isNameStart(c byte) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
