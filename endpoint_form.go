package jwtguard

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// DefaultMaxBodySize is the largest request body the token endpoints read.
const DefaultMaxBodySize = 64 << 10

// formField describes one field of a token endpoint, as a DRF CharField.
type formField struct {
	name     string
	trim     bool // strip white space, as CharField does but PasswordField does not
	optional bool // absent is "", not "This field is required."
}

// formError is a request the endpoint refuses before looking at the
// credentials: status and a DRF-shaped body.
type formError struct {
	status int
	body   []byte
}

func (e *formError) Error() string { return "jwtguard: bad request body" }

// readForm reads the named fields from a JSON, form-encoded or multipart
// body, checking them as DRF's serializer does: each field must be present,
// a string (or a number, taken as its text), and not blank.
func readForm(r *http.Request, maxBody int64, fields ...formField) ([]string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, &formError{http.StatusBadRequest, []byte(`{"detail":"Malformed request."}`)}
	}
	if int64(len(body)) > maxBody {
		return nil, &formError{http.StatusRequestEntityTooLarge, []byte(`{"detail":"Request body too large."}`)}
	}
	values := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) > 0 {
		if values, err = parseBody(r.Header.Get("Content-Type"), body, maxBody); err != nil {
			return nil, err
		}
	}

	out := make([]string, len(fields))
	var problems []byte
	for n, f := range fields {
		v, msg := fieldValue(values, f)
		if msg != "" {
			problems = appendFieldError(problems, f.name, msg)
			continue
		}
		out[n] = v
	}
	if problems != nil {
		return nil, &formError{http.StatusBadRequest, append(append([]byte{'{'}, problems...), '}')}
	}
	return out, nil
}

// fieldValue returns a field's value, or the DRF message that refuses it.
func fieldValue(values map[string]json.RawMessage, f formField) (string, string) {
	raw, ok := values[f.name]
	if !ok {
		if f.optional {
			return "", ""
		}
		return "", "This field is required."
	}
	var s string
	switch {
	case len(raw) == 0:
	case string(raw) == "null":
		return "", "This field may not be null."
	case raw[0] == '"':
		if json.Unmarshal(raw, &s) != nil {
			return "", "Not a valid string."
		}
	case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
		s = string(raw)
	default:
		return "", "Not a valid string."
	}
	if f.trim {
		s = strings.TrimSpace(s)
	}
	if s == "" {
		return "", "This field may not be blank."
	}
	return s, ""
}

func appendFieldError(dst []byte, name, msg string) []byte {
	if len(dst) > 0 {
		dst = append(dst, ',')
	}
	dst = appendJSONString(dst, name)
	dst = append(dst, ":["...)
	dst = appendJSONString(dst, msg)
	return append(dst, ']')
}

// parseBody decodes a body by its media type into raw JSON values; form
// values become JSON strings. The last of repeated names wins, as in Django.
func parseBody(contentType string, body []byte, maxBody int64) (map[string]json.RawMessage, error) {
	mediaType, params, err := mime.ParseMediaType(contentType)
	if contentType == "" || err != nil {
		mediaType = contentType
	}
	switch mediaType {
	case "application/json":
		return parseJSONBody(body)
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, &formError{http.StatusBadRequest, []byte(`{"detail":"Malformed request."}`)}
		}
		return formValues(q), nil
	case "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		form, err := mr.ReadForm(maxBody)
		if err != nil {
			return nil, &formError{http.StatusBadRequest, []byte(`{"detail":"Multipart form parse error - Invalid boundary in multipart: None"}`)}
		}
		defer form.RemoveAll()
		return formValues(form.Value), nil
	}
	msg := appendJSONString(nil, `Unsupported media type "`+mediaType+`" in request.`)
	return nil, &formError{http.StatusUnsupportedMediaType, append(append([]byte(`{"detail":`), msg...), '}')}
}

func formValues(q map[string][]string) map[string]json.RawMessage {
	m := make(map[string]json.RawMessage, len(q))
	for k, vs := range q {
		if len(vs) > 0 {
			m[k] = appendJSONString(nil, vs[len(vs)-1])
		}
	}
	return m
}

// parseJSONBody decodes a JSON object. Errors read as DRF's, which quotes
// Python's json module: "JSON parse error - Expecting value: line 1 column
// 13 (char 12)".
func parseJSONBody(body []byte) (map[string]json.RawMessage, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	err := dec.Decode(&v)
	if err == nil && dec.More() {
		err = extraData(body, dec.InputOffset())
	}
	if err != nil {
		return nil, jsonParseError(body, err)
	}
	if _, ok := v.(map[string]any); !ok {
		kind := "list"
		switch v.(type) {
		case string:
			kind = "str"
		case json.Number:
			kind = "int"
		case bool:
			kind = "bool"
		case nil:
			kind = "NoneType"
		}
		return nil, &formError{http.StatusBadRequest, []byte(`{"non_field_errors":["Invalid data. Expected a dictionary, but got ` + kind + `."]}`)}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, jsonParseError(body, err)
	}
	return m, nil
}

// errExtraData marks text after the JSON value; its offset is where it starts.
type errExtraData struct{ offset int64 }

func (e *errExtraData) Error() string { return "extra data" }

func extraData(body []byte, after int64) error {
	off := after
	for off < int64(len(body)) && strings.IndexByte(" \t\r\n", body[off]) >= 0 {
		off++
	}
	return &errExtraData{offset: off}
}

func jsonParseError(body []byte, err error) error {
	what, pos := "Expecting value", int64(len(body))
	var syn *json.SyntaxError
	var extra *errExtraData
	switch {
	case errors.As(err, &extra):
		what, pos = "Extra data", extra.offset
	case errors.As(err, &syn):
		if syn.Offset > 0 && syn.Offset <= int64(len(body)) && !strings.Contains(syn.Error(), "end of JSON input") {
			pos = syn.Offset - 1
		}
		switch c := byteAt(body, pos); {
		case strings.Contains(syn.Error(), "looking for beginning of object key"):
			what = "Expecting property name enclosed in double quotes"
		case strings.Contains(syn.Error(), "after object key") && c != 0:
			what = "Expecting ':' delimiter"
		case strings.Contains(syn.Error(), "after object key:value pair"), strings.Contains(syn.Error(), "after array element"):
			what = "Expecting ',' delimiter"
		case strings.Contains(syn.Error(), "in string"):
			what = "Invalid control character at"
		}
	}
	line, col := int64(1), pos+1
	if i := bytes.LastIndexByte(body[:pos], '\n'); i >= 0 {
		line = int64(bytes.Count(body[:pos], []byte{'\n'})) + 1
		col = pos - int64(i)
	}
	msg := "JSON parse error - " + what + ": line " + strconv.FormatInt(line, 10) +
		" column " + strconv.FormatInt(col, 10) + " (char " + strconv.FormatInt(pos, 10) + ")"
	return &formError{http.StatusBadRequest, append(append([]byte(`{"detail":`), appendJSONString(nil, msg)...), '}')}
}

func byteAt(b []byte, i int64) byte {
	if i < 0 || i >= int64(len(b)) {
		return 0
	}
	return b[i]
}
