package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jwtguard/jwtguard"
)

// taskJSON is a task as DRF's ModelSerializer writes it, in field order.
type taskJSON struct {
	ID     int64  `json:"id"`
	Title  string `json:"title"`
	DueTo  string `json:"due_to"`
	Person int64  `json:"person"`
}

func toJSON(t *task) taskJSON {
	layout := "2006-01-02T15:04:05Z"
	if t.DueTo.Nanosecond() != 0 {
		layout = "2006-01-02T15:04:05.000000Z"
	}
	return taskJSON{ID: t.ID, Title: t.Title, DueTo: t.DueTo.UTC().Format(layout), Person: t.Person}
}

func (a *app) listTasks(w http.ResponseWriter, r *http.Request) {
	rows, err := a.db.tasks(r.Context())
	if err != nil {
		a.unavailable(w, r, err)
		return
	}
	out := make([]taskJSON, len(rows))
	for i := range rows {
		out[i] = toJSON(&rows[i])
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *app) getTask(w http.ResponseWriter, r *http.Request) {
	if t, ok := a.findTask(w, r); ok {
		writeJSON(w, http.StatusOK, toJSON(t))
	}
}

// taskOwner is the DRF tutorial's IsOwnerOrReadOnly on a task: anyone
// reads, only the task's person changes or deletes it, and nobody creates
// a task in another person's name.
var taskOwner = jwtguard.IsOwnerOrReadOnly(func(t *task) string { return strconv.FormatInt(t.Person, 10) })

func (a *app) createTask(w http.ResponseWriter, r *http.Request) {
	t := &task{}
	if !a.bindTask(w, r, t, false) || !jwtguard.AuthorizeObject(a.guard, w, r, taskOwner, t) {
		return
	}
	if err := a.db.createTask(r.Context(), t); err != nil {
		a.unavailable(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toJSON(t))
}

func (a *app) updateTask(w http.ResponseWriter, r *http.Request) {
	t, ok := a.findTask(w, r)
	// The owner before the change, and after it: a task is not handed to
	// another person either.
	if !ok || !jwtguard.AuthorizeObject(a.guard, w, r, taskOwner, t) ||
		!a.bindTask(w, r, t, r.Method == http.MethodPatch) || !jwtguard.AuthorizeObject(a.guard, w, r, taskOwner, t) {
		return
	}
	if err := a.db.updateTask(r.Context(), t); err != nil {
		a.unavailable(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toJSON(t))
}

func (a *app) deleteTask(w http.ResponseWriter, r *http.Request) {
	t, ok := a.findTask(w, r)
	if !ok || !jwtguard.AuthorizeObject(a.guard, w, r, taskOwner, t) {
		return
	}
	if err := a.db.deleteTask(r.Context(), t.ID); err != nil {
		a.unavailable(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// findTask loads the task of the path, or answers 404.
func (a *app) findTask(w http.ResponseWriter, r *http.Request) (*task, bool) {
	id, err := parseID(r.PathValue("id"))
	var t *task
	if err == nil {
		t, err = a.db.task(r.Context(), id)
	}
	switch {
	case err == nil:
		return t, true
	case errors.Is(err, errNoRow), errors.Is(err, strconv.ErrSyntax), errors.Is(err, strconv.ErrRange):
		writeJSON(w, http.StatusNotFound, detail("Not found."))
	default:
		a.unavailable(w, r, err)
	}
	return nil, false
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err == nil && id < 1 {
		err = strconv.ErrRange
	}
	return id, err
}

// bindTask validates the body into t as DRF's serializer does: every field
// required unless partial, errors in field order.
func (a *app) bindTask(w http.ResponseWriter, r *http.Request, t *task, partial bool) bool {
	fields, ok := readBody(w, r)
	if !ok {
		return false
	}
	errs := fieldErrors{}
	if raw, present := fields["title"]; present || !partial {
		if s, msg := charField(raw, present, 200); msg != "" {
			errs.add("title", msg)
		} else {
			t.Title = s
		}
	}
	if raw, present := fields["due_to"]; present || !partial {
		if d, msg := dateTimeField(raw, present); msg != "" {
			errs.add("due_to", msg)
		} else {
			t.DueTo = d
		}
	}
	if raw, present := fields["person"]; present || !partial {
		id, msg, err := a.personField(r.Context(), raw, present)
		switch {
		case err != nil:
			a.unavailable(w, r, err)
			return false
		case msg != "":
			errs.add("person", msg)
		default:
			t.Person = id
		}
	}
	if len(errs) > 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write(errs.json())
		return false
	}
	return true
}

// fieldErrors keeps DRF's field order in the JSON it writes.
type fieldErrors []struct{ name, msg string }

func (e *fieldErrors) add(name, msg string) { *e = append(*e, struct{ name, msg string }{name, msg}) }

// json writes the errors as DRF does: each field once, with its messages
// in a list, fields in the order of their first error.
func (e fieldErrors) json() []byte {
	out := []byte{'{'}
	for i, f := range e {
		if slices.IndexFunc(e[:i], func(g struct{ name, msg string }) bool { return g.name == f.name }) >= 0 {
			continue // listed with the field's first error
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		name, _ := json.Marshal(f.name)
		out = append(append(out, name...), `:[`...)
		for j, g := range e[i:] {
			if g.name != f.name {
				continue
			}
			if j > 0 {
				out = append(out, ',')
			}
			msg, _ := json.Marshal(g.msg)
			out = append(out, msg...)
		}
		out = append(out, ']')
	}
	return append(out, '}')
}

// charField checks a CharField: present, not null, a string (or a number,
// as text), not blank, at most max characters.
func charField(raw json.RawMessage, present bool, max int) (string, string) {
	if !present {
		return "", "This field is required."
	}
	var s string
	switch {
	case string(raw) == "null":
		return "", "This field may not be null."
	case len(raw) > 0 && raw[0] == '"':
		json.Unmarshal(raw, &s)
	case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
		s = string(raw)
	default:
		return "", "Not a valid string."
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "This field may not be blank."
	}
	if utf8.RuneCountInString(s) > max {
		return "", "Ensure this field has no more than " + strconv.Itoa(max) + " characters."
	}
	return s, ""
}

// isoDateTime is the form Django's parse_datetime reads.
var isoDateTime = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$`)

const dateTimeFormatError = "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."

// dateTimeField reads an ISO 8601 date and time; without a zone it is UTC,
// the server's time zone.
func dateTimeField(raw json.RawMessage, present bool) (time.Time, string) {
	if !present {
		return time.Time{}, "This field is required."
	}
	if string(raw) == "null" {
		return time.Time{}, "This field may not be null."
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return time.Time{}, dateTimeFormatError
	}
	m := isoDateTime.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, dateTimeFormatError
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	micro := 0
	if m[7] != "" {
		micro, _ = strconv.Atoi((m[7] + "00000")[:6])
	}
	loc := time.UTC
	if z := m[8]; z != "" && z != "Z" {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(z[1:], ":", "")
		h, _ := strconv.Atoi(digits[:2])
		mins := 0
		if len(digits) == 4 {
			mins, _ = strconv.Atoi(digits[2:])
		}
		loc = time.FixedZone("", sign*(h*3600+mins*60))
	}
	t := time.Date(n(1), time.Month(n(2)), n(3), n(4), n(5), n(6), micro*1000, loc)
	// time.Date normalizes 2030-02-31 into March; Django refuses it.
	if t.Month() != time.Month(n(2)) || t.Day() != n(3) || t.Hour() != n(4) || t.Minute() != n(5) || n(6) > 59 {
		return time.Time{}, dateTimeFormatError
	}
	return t.UTC(), ""
}

// personField checks a PrimaryKeyRelatedField to a user; err is a
// database failure.
func (a *app) personField(ctx context.Context, raw json.RawMessage, present bool) (int64, string, error) {
	if !present {
		return 0, "This field is required.", nil
	}
	if string(raw) == "null" {
		return 0, "This field may not be null.", nil
	}
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		json.Unmarshal(raw, &text)
	}
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return 0, "Incorrect type. Expected pk value, received " + pyType(raw) + ".", nil
	}
	switch _, err := a.db.userByID(ctx, id); {
	case errors.Is(err, errNoRow):
		return 0, `Invalid pk "` + text + `" - object does not exist.`, nil
	case err != nil:
		return 0, "", err
	}
	return id, "", nil
}

// pyType names a JSON value's type as Python would.
func pyType(raw json.RawMessage) string {
	switch {
	case len(raw) == 0:
		return "NoneType"
	case raw[0] == '"':
		return "str"
	case raw[0] == '{':
		return "dict"
	case raw[0] == '[':
		return "list"
	case raw[0] == 't' || raw[0] == 'f':
		return "bool"
	}
	return "float"
}
