package jwtguard

import (
	"errors"
	"net/http"
)

// FormField names one field of a request body, read as a Django REST
// Framework serializer's CharField reads it: present, a string (a number
// is taken as its text), not blank.
type FormField struct {
	// Name is the field's name in the JSON object or the form.
	Name string
	// Trim strips white space around the value first, as CharField does
	// by default (simplejwt's PasswordField does not).
	Trim bool
	// Optional makes an absent field "" rather than "This field is
	// required.".
	Optional bool
}

// FormError is a request body refused before its values are looked at:
// the status (400, 413 or 415) and DRF's JSON body, such as
// {"token":["This field is required."]} or {"detail":"JSON parse error -
// …"}. The body holds no internal error.
type FormError struct {
	Status int
	Body   []byte
}

// Error implements error.
func (e *FormError) Error() string { return "jwtguard: bad request body" }

// ReadForm reads fields from r's body, JSON, form-encoded or multipart, of
// at most maxBody bytes, as the token endpoints do: it returns their
// values in order, or a [*FormError] that names every field refused, in
// the order of fields, with DRF's messages. The last of repeated names
// wins, as in Django.
func ReadForm(r *http.Request, maxBody int64, fields ...FormField) ([]string, error) {
	if maxBody < 1 {
		return nil, configError("max body size %d is below 1", maxBody)
	}
	inner := make([]formField, len(fields))
	for i, f := range fields {
		inner[i] = formField{name: f.Name, trim: f.Trim, optional: f.Optional}
	}
	v, err := readForm(r, maxBody, inner...)
	var fe *formError
	if errors.As(err, &fe) {
		return nil, &FormError{Status: fe.status, Body: fe.body}
	}
	return v, err
}
