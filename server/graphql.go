package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chipgraph/chipgraph/graph"
	"github.com/chipgraph/chipgraph/schema"
	graphql "github.com/graph-gophers/graphql-go"
	gqlerrors "github.com/graph-gophers/graphql-go/errors"
)

// Response media types.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// Error codes the server adds to those of package graph.
const (
	codeParseFailed      = "GRAPHQL_PARSE_FAILED"
	codeValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	codeBadRequest       = "BAD_REQUEST"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	codeNotAcceptable    = "NOT_ACCEPTABLE"
	codeTooLarge         = "REQUEST_TOO_LARGE"
	codeUnsupportedMedia = "UNSUPPORTED_MEDIA_TYPE"
	codeInternal         = graph.EINTERNAL
)

// params is a GraphQL-over-HTTP request.
type params struct {
	Query         string
	OperationName string
	Variables     map[string]any
	Extensions    map[string]any
}

// requestError is a failure to read a GraphQL-over-HTTP request.
type requestError struct {
	status  int
	code    string
	message string
}

func badRequest(format string, args ...any) *requestError {
	return &requestError{http.StatusBadRequest, codeBadRequest, fmt.Sprintf(format, args...)}
}

// response is the GraphQL response as sent.
type response struct {
	Errors     []gqlError      `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

type gqlError struct {
	Message    string               `json:"message"`
	Locations  []gqlerrors.Location `json:"locations,omitempty"`
	Path       []any                `json:"path,omitempty"`
	Extensions map[string]any       `json:"extensions"`
}

func (h *handler) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	w.Header()["Cache-Control"] = noStore
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeErrors(w, mediaJSON, http.StatusMethodNotAllowed, codeMethodNotAllowed,
			fmt.Sprintf("method %s not allowed; use GET or POST", r.Method))
		return
	}
	media, ok := negotiate(r.Header.Values("Accept"))
	if !ok {
		if r.Method == http.MethodGet && !r.URL.Query().Has("query") && acceptsHTML(r) {
			// A browser opened the endpoint: send it to the query page.
			http.Redirect(w, r, "./", http.StatusSeeOther)
			return
		}
		writeErrors(w, mediaJSON, http.StatusNotAcceptable, codeNotAcceptable,
			"none of the media types in Accept is supported; accept "+mediaGraphQLResponse+" or "+mediaJSON)
		return
	}

	ctx, ok := h.authorize(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Bearer realm="chipgraph", error="invalid_token"`)
		writeErrors(w, media, http.StatusUnauthorized, graph.EUNAUTHORIZED, "invalid write token")
		return
	}

	var p *params
	var rerr *requestError
	if r.Method == http.MethodGet {
		p, rerr = readGET(r, h.maxBody)
	} else {
		p, rerr = readPOST(w, r, h.maxBody)
	}
	if rerr != nil {
		writeErrors(w, media, rerr.status, rerr.code, rerr.message)
		return
	}

	doc := scanDocument(p.Query, h.maxDepth)
	if doc.tooDeep {
		// A validation rule of our own: a request error like any other.
		h.writeResponse(w, media, &response{Errors: []gqlError{{
			Message:    fmt.Sprintf("query is nested deeper than the limit of %d levels", h.maxDepth),
			Extensions: map[string]any{"code": graph.ETOOCOMPLEX, "limit": h.maxDepth},
		}}})
		return
	}
	typ, typed := doc.operationType(p.OperationName)
	if r.Method == http.MethodGet && typed && typ == "mutation" {
		w.Header().Set("Allow", "POST")
		writeErrors(w, media, http.StatusMethodNotAllowed, codeMethodNotAllowed, "mutations must be sent with POST")
		return
	}

	// A query (never a mutation) whose answer for this data generation is
	// cached is answered from the cache; the generation is read before
	// executing, and an answer is cached only if it is unchanged after.
	// A cached answer passed the cost check when it was computed (same
	// document and variables, same limit), so a hit skips it.
	var key [32]byte
	var gen uint64
	cacheable := false
	if h.cache != nil && typed && typ == "query" {
		var visible uint64
		gen, visible = h.generation()
		if key, cacheable = cacheKey(p, &doc, visible); cacheable {
			bp := bodyBufs.Get().(*[]byte)
			body, ok := h.cache.get((*bp)[:0], key, gen)
			if ok {
				writeBody(w, media, http.StatusOK, body) // Write copies it
			}
			if cap(body) <= maxPooledBody {
				*bp = body[:0]
				bodyBufs.Put(bp)
			}
			if ok {
				return
			}
			cacheable = h.cache.admit(key) // cache it the second time it is asked
		}
	}
	if e := h.checkCost(p); e != nil {
		h.writeResponse(w, media, &response{Errors: []gqlError{*e}})
		return
	}
	// The request's time starts here; reading it is bounded by the
	// connection's read timeout, and a cached answer needs no timer.
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	res := h.schema.Exec(schema.WithDocument(ctx, p.Query), p.Query, p.OperationName, p.Variables)
	out := &response{Data: res.Data, Extensions: res.Extensions}
	executed := len(res.Data) > 0
	for _, qe := range res.Errors {
		out.Errors = append(out.Errors, h.convertError(qe, executed))
	}
	if executed && len(out.Errors) == 0 && len(out.Extensions) == 0 {
		// The common case needs no encoder: graphql-go's data is
		// compact JSON already (json.Marshal would scan it again).
		// Cache the answer only if no write was published while it was
		// computed: it then holds exactly the view of generation gen,
		// which an asOf keyed as current (cacheKey) relies on.
		if cacheable {
			if now, _ := h.generation(); now != gen {
				cacheable = false
			}
		}
		if cacheable {
			body := make([]byte, 0, len(res.Data)+len(`{"data":}`))
			body = append(append(append(body, `{"data":`...), res.Data...), '}')
			h.cache.put(key, docHash(p.Query), gen, body)
			h.release(res)
			writeBody(w, media, http.StatusOK, body)
			return
		}
		writeData(w, media, res.Data) // a Writer keeps no reference to what it writes
		h.release(res)
		return
	}
	h.writeResponse(w, media, out)
}

// release gives res's data back to the schema, if it takes it back.
func (h *handler) release(res *graphql.Response) {
	if r, ok := h.schema.(releaser); ok {
		r.Release(res)
	}
}

// authorize returns the request's context marked with its write access, and
// false when the request carries a bearer token that is not the write token.
// Other Authorization schemes are ignored (a proxy may use them).
func (h *handler) authorize(r *http.Request) (context.Context, bool) {
	ctx := r.Context()
	if h.readOnly {
		return schema.WithReadOnly(ctx), true
	}
	scheme, token, found := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !found || !strings.EqualFold(scheme, "Bearer") {
		return ctx, true
	}
	// Hashing both sides makes the comparison constant-time in the length too.
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(sum[:], h.tokenSum[:]) != 1 {
		return ctx, false
	}
	if r.Method != http.MethodPost {
		return ctx, true // GET is safe: it never writes
	}
	return schema.WithWriter(ctx, "token"), true
}

func readGET(r *http.Request, limit int64) (*params, *requestError) {
	if int64(len(r.URL.RawQuery)) > limit {
		return nil, &requestError{http.StatusRequestURITooLong, codeTooLarge,
			fmt.Sprintf("URL query is larger than the limit of %d bytes; use POST", limit)}
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("malformed URL query: %v", err)
	}
	if !q.Has("query") {
		return nil, badRequest("missing query parameter")
	}
	p := &params{Query: q.Get("query"), OperationName: q.Get("operationName")}
	if p.Variables, err = jsonObject(q.Get("variables")); err != nil {
		return nil, badRequest("variables must be a JSON object: %v", err)
	}
	if p.Extensions, err = jsonObject(q.Get("extensions")); err != nil {
		return nil, badRequest("extensions must be a JSON object: %v", err)
	}
	return p, nil
}

func readPOST(w http.ResponseWriter, r *http.Request, limit int64) (*params, *requestError) {
	if !jsonContentType(r.Header.Get("Content-Type")) {
		w.Header().Set("Accept-Post", mediaJSON)
		return nil, &requestError{http.StatusUnsupportedMediaType, codeUnsupportedMedia,
			"Content-Type must be application/json (UTF-8)"}
	}
	body, err := readBody(w, r, limit)
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, &requestError{http.StatusRequestEntityTooLarge, codeTooLarge,
				fmt.Sprintf("request body is larger than the limit of %d bytes", limit)}
		}
		return nil, badRequest("reading request body: %v", err)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, badRequest("request body is empty; send a JSON object with a query")
	}
	if body[0] != '{' {
		return nil, badRequest("request body must be a JSON object (batches are not supported)")
	}
	if p, ok := parseBody(body); ok {
		return p, nil
	}
	return decodeBody(body)
}

// decodeBody decodes a POST body with encoding/json, explaining what is
// wrong with it; parseBody reads the usual bodies faster, to the same
// values.
func decodeBody(body []byte) (*params, *requestError) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, badRequest("request body is not valid JSON: %v", err)
	}
	p := &params{}
	var err error
	q, ok := raw["query"]
	if !ok || isNull(q) {
		return nil, badRequest("missing query")
	}
	if q[0] != '"' || json.Unmarshal(q, &p.Query) != nil {
		return nil, badRequest("query must be a string")
	}
	if op, ok := raw["operationName"]; ok && !isNull(op) {
		if op[0] != '"' || json.Unmarshal(op, &p.OperationName) != nil {
			return nil, badRequest("operationName must be a string")
		}
	}
	if p.Variables, err = rawObject(raw["variables"]); err != nil {
		return nil, badRequest("variables must be an object")
	}
	if p.Extensions, err = rawObject(raw["extensions"]); err != nil {
		return nil, badRequest("extensions must be an object")
	}
	return p, nil
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

// jsonObject decodes a JSON object given as a string parameter; "" and
// "null" give nil.
func jsonObject(s string) (map[string]any, error) {
	if s == "" {
		return nil, nil
	}
	return rawObject(json.RawMessage(s))
}

// rawObject decodes a JSON object; absent or null gives nil.
func rawObject(raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, errors.New("not an object")
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// jsonContentType reports whether a request's Content-Type is
// application/json in UTF-8 (no charset, or utf-8).
func jsonContentType(ct string) bool {
	switch ct {
	case mediaJSON, "application/json; charset=utf-8", "application/json;charset=utf-8":
		return true // what clients send, without parsing
	}
	return jsonContentTypeParsed(ct)
}

// jsonContentTypeParsed is jsonContentType for any Content-Type.
func jsonContentTypeParsed(ct string) bool {
	mt, ps, err := mime.ParseMediaType(ct)
	return ct != "" && err == nil && mt == mediaJSON && isUTF8(ps)
}

// readBody reads a request body of at most limit bytes; a body over the
// limit gives a *http.MaxBytesError. A body whose length is declared is
// read into one buffer of that size.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if n := r.ContentLength; n > 0 && n <= limit {
		body := make([]byte, n)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		return body, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
}

func isUTF8(ps map[string]string) bool {
	cs, ok := ps["charset"]
	return !ok || strings.EqualFold(cs, "utf-8") || strings.EqualFold(cs, "utf8")
}

// negotiate picks the response media type from the Accept header values.
// application/graphql-response+json wins when listed explicitly with a q at
// least that of application/json; wildcards and a missing header give
// application/json. It returns false when neither type is acceptable.
func negotiate(accept []string) (string, bool) {
	if len(accept) <= 1 {
		v := ""
		if len(accept) == 1 {
			v = accept[0]
		}
		if media, ok := commonAccept[v]; ok { // what clients send, without parsing
			return media, true
		}
	}
	return negotiateParsed(accept)
}

// commonAccept holds the Accept headers most clients send, with the media
// type negotiateParsed picks for them (TestNegotiateCommon checks).
var commonAccept = map[string]string{
	"":                                      mediaJSON,
	mediaJSON:                               mediaJSON,
	"*/*":                                   mediaJSON,
	"application/json, */*":                 mediaJSON,
	mediaGraphQLResponse:                    mediaGraphQLResponse,
	mediaGraphQLResponse + ", " + mediaJSON: mediaGraphQLResponse,
	mediaGraphQLResponse + ", " + mediaJSON + ";q=0.9": mediaGraphQLResponse,
}

// negotiateParsed is negotiate for any Accept header.
func negotiateParsed(accept []string) (string, bool) {
	header := strings.TrimSpace(strings.Join(accept, ","))
	if header == "" {
		return mediaJSON, true
	}
	qGR, qJSON, qApp, qAll := -1.0, -1.0, -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		mt, ps, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := ps["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		if !isUTF8(ps) {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			qGR = max(qGR, q)
		case mediaJSON:
			qJSON = max(qJSON, q)
		case "application/*":
			qApp = max(qApp, q)
		case "*/*":
			qAll = max(qAll, q)
		}
	}
	// The most specific range that matches a type gives its q.
	effective := func(exact float64) float64 {
		for _, q := range []float64{exact, qApp, qAll} {
			if q >= 0 {
				return q
			}
		}
		return 0
	}
	switch jsonQ := effective(qJSON); {
	case qGR > 0 && qGR >= jsonQ:
		return mediaGraphQLResponse, true
	case jsonQ > 0:
		return mediaJSON, true
	case effective(qGR) > 0:
		return mediaGraphQLResponse, true
	}
	return "", false
}

func acceptsHTML(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		if strings.Contains(v, "text/html") {
			return true
		}
	}
	return false
}

// convertError gives a graph-gophers error its extensions.code and hides
// the text of internal errors. executed reports whether the response has
// data, which tells request errors from execution errors.
func (h *handler) convertError(qe *gqlerrors.QueryError, executed bool) gqlError {
	e := gqlError{Message: qe.Message, Locations: qe.Locations, Path: qe.Path, Extensions: map[string]any{}}
	for k, v := range qe.Extensions {
		e.Extensions[k] = v
	}
	code, reason, field := ErrorCode(qe, executed)
	if reason != "" && e.Extensions["reason"] == nil {
		e.Extensions["reason"] = reason
	}
	if field != "" && e.Extensions["field"] == nil {
		e.Extensions["field"] = field
	}
	if code == graph.ETIMEOUT && !hasCode(qe) {
		e.Message = fmt.Sprintf("request did not finish within %s", h.timeout)
	}
	if code == codeInternal {
		h.logger.Printf("graphql: internal error at %v: %s", qe.Path, qe.Message)
		e.Message = "internal error"
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
	return e
}

func hasCode(qe *gqlerrors.QueryError) bool {
	_, ok := qe.Extensions["code"].(string)
	return ok
}

// ErrorCode classifies a GraphQL error as the server reports it in
// extensions.code: the code an error already carries; a *graph.Error's
// code (with its reason and field); TIMEOUT for a cancelled or expired
// request; GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED or
// QUERY_TOO_COMPLEX for a request that did not execute; BAD_USER_INPUT for
// an argument that failed to coerce during execution; otherwise
// INTERNAL_SERVER_ERROR. executed says whether the response has data.
// The command line's in-process queries use it too.
func ErrorCode(qe *gqlerrors.QueryError, executed bool) (code, reason, field string) {
	if code, ok := qe.Extensions["code"].(string); ok {
		return code, "", ""
	}
	var ge *graph.Error
	switch {
	case errors.Is(qe, context.DeadlineExceeded) || errors.Is(qe, context.Canceled):
		return graph.ETIMEOUT, "", ""
	case errors.As(qe.ResolverError, &ge):
		return ge.Code, ge.Reason, ge.Field
	case qe.ResolverError != nil, strings.HasPrefix(qe.Message, "panic occurred"):
		return codeInternal, "", ""
	case !executed && errors.Is(qe, gqlerrors.ErrSyntax):
		return codeParseFailed, "", ""
	case !executed && (qe.Rule == "MaxDepthExceeded" || qe.Rule == "OverlapValidationLimitExceeded"):
		return graph.ETOOCOMPLEX, "", ""
	case !executed:
		return codeValidationFailed, "", ""
	case errors.Is(qe, graphql.ErrTooManySelections):
		return graph.ETOOCOMPLEX, "", ""
	case len(qe.Path) == 0:
		return graph.EINVALID, "", "" // argument coercion while selecting fields
	}
	return codeInternal, "", "" // for example a resolver returned nil for a non-null field
}

// writeResponse sends a GraphQL response with the status the media type
// calls for: application/json is always 200; application/graphql-response+json
// is 200 when there is data and otherwise the status of the first error.
func (h *handler) writeResponse(w http.ResponseWriter, media string, res *response) {
	status := http.StatusOK
	if media == mediaGraphQLResponse && len(res.Data) == 0 {
		status = http.StatusBadRequest
		if len(res.Errors) > 0 {
			code, _ := res.Errors[0].Extensions["code"].(string)
			switch s := graph.HTTPStatus(code); {
			case code == codeParseFailed || code == codeValidationFailed:
			case s >= 400:
				status = s
			}
		}
	}
	body, err := json.Marshal(res)
	if err != nil {
		h.logger.Printf("graphql: encoding response: %v", err)
		writeErrors(w, media, http.StatusInternalServerError, codeInternal, "internal error")
		return
	}
	writeBody(w, media, status, body)
}

// writeErrors sends a response holding one error and no data.
func writeErrors(w http.ResponseWriter, media string, status int, code, message string) {
	body, _ := json.Marshal(response{Errors: []gqlError{{Message: message, Extensions: map[string]any{"code": code}}}})
	writeBody(w, media, status, body)
}

// Header values the handlers set, shared by every response: a handler
// may replace them (Header.Set), never change them in place.
var (
	noStore                = []string{"no-store"}
	contentTypeJSON        = []string{mediaJSON + "; charset=utf-8"}
	contentTypeGraphQLResp = []string{mediaGraphQLResponse + "; charset=utf-8"}
)

// setContentType sets the Content-Type of a response in media.
func setContentType(w http.ResponseWriter, media string) {
	switch media {
	case mediaJSON:
		w.Header()["Content-Type"] = contentTypeJSON
	case mediaGraphQLResponse:
		w.Header()["Content-Type"] = contentTypeGraphQLResp
	default:
		w.Header().Set("Content-Type", media+"; charset=utf-8")
	}
}

func writeBody(w http.ResponseWriter, media string, status int, body []byte) {
	setContentType(w, media)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeData writes the answer {"data":data} with status 200, without
// copying data into one body.
func writeData(w http.ResponseWriter, media string, data []byte) {
	setContentType(w, media)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)+len(`{"data":}`)))
	w.WriteHeader(http.StatusOK)
	if _, err := io.WriteString(w, `{"data":`); err != nil {
		return
	}
	if _, err := w.Write(data); err != nil {
		return
	}
	_, _ = io.WriteString(w, "}")
}

func writeJSON(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}
