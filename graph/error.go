package graph

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to a GraphQL extensions.code and an HTTP status.
// Codes are part of the public API: do not rename them.
const (
	EINVALID      = "BAD_USER_INPUT"        // input fails validation (400)
	ENOTFOUND     = "NOT_FOUND"             // the record does not exist (404)
	ECONFLICT     = "CONFLICT"              // the write conflicts with stored state (409)
	EUNAUTHORIZED = "UNAUTHENTICATED"       // a write without a valid write token (401)
	EFORBIDDEN    = "FORBIDDEN"             // the server does not allow the operation (403)
	ETOOCOMPLEX   = "QUERY_TOO_COMPLEX"     // a request over a configured limit (400)
	ETIMEOUT      = "TIMEOUT"               // the request ran out of time (504)
	EINTERNAL     = "INTERNAL_SERVER_ERROR" // anything else; details are logged, not shown (500)
)

// Error is chipgraph's application error. Field names the input that is
// wrong (for example "references" or "object.date") so a client can point at
// it; Reason is a finer machine-readable cause such as "UNKNOWN_PREDICATE".
type Error struct {
	Code    string
	Reason  string
	Field   string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error for field with a reason code.
func Invalid(field, reason, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Reason: reason, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Reasons used with EINVALID. Stable strings: clients match on them.
const (
	RMissing          = "MISSING_FIELD"
	RMissingReference = "MISSING_REFERENCE"
	RUnknownPredicate = "UNKNOWN_PREDICATE"
	RKindMismatch     = "KIND_MISMATCH"
	RTypeMismatch     = "TYPE_MISMATCH"
	RBadDate          = "INVALID_DATE"
	RBadURL           = "INVALID_URL"
	RBadKey           = "INVALID_KEY"
	RBadValue         = "INVALID_VALUE"
	RBadUnit          = "INVALID_UNIT"
	RUnknownEntity    = "UNKNOWN_ENTITY"
	RUnknownSource    = "UNKNOWN_SOURCE"
	RQuoteNotFound    = "QUOTE_NOT_IN_SOURCE"
	RDuplicate        = "DUPLICATE"
)

// ErrorCode returns the code of the application error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message safe to show a user: the application
// error's text, or "internal error" for anything else.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// HTTPStatus maps an error code to an HTTP status.
func HTTPStatus(code string) int {
	switch code {
	case EINVALID, ETOOCOMPLEX:
		return 400
	case EUNAUTHORIZED:
		return 401
	case EFORBIDDEN:
		return 403
	case ENOTFOUND:
		return 404
	case ECONFLICT:
		return 409
	case ETIMEOUT:
		return 504
	case "":
		return 200
	}
	return 500
}
