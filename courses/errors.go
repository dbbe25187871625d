// Package courses holds Aula's domain: the school's people, courses and rules.
// It is pure Go: no HTTP, no SQL, no clock of its own.
package courses

import "errors"

// Error kinds every layer speaks. The handlers map each to a status code and a
// translated message in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid")
)
