package jwtguard

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// maxJSONDepth bounds the nesting of arrays and objects inside a header or a
// claims set. Nothing a real issuer sends comes close; a depth bomb stops here.
const maxJSONDepth = 32

// scanner reads one JSON document from a decoded token segment. It validates
// as it goes (RFC 8259 grammar, UTF-8, nesting depth) and returns strings
// without copying unless they hold escapes, so the hot path decodes the
// header and the claims once, into typed fields, without reflection.
type scanner struct {
	data []byte
	pos  int
}

// jsonKind is the type of the next JSON value.
type jsonKind uint8

const (
	kindInvalid jsonKind = iota
	kindString
	kindNumber
	kindObject
	kindArray
	kindTrue
	kindFalse
	kindNull
)

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) && isSpace(s.data[s.pos]) {
		s.pos++
	}
}

// peek returns the kind of the next value after white space.
func (s *scanner) peek() jsonKind {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return kindInvalid
	}
	switch c := s.data[s.pos]; {
	case c == '"':
		return kindString
	case c == '{':
		return kindObject
	case c == '[':
		return kindArray
	case c == 't':
		return kindTrue
	case c == 'f':
		return kindFalse
	case c == 'n':
		return kindNull
	case c == '-' || (c >= '0' && c <= '9'):
		return kindNumber
	}
	return kindInvalid
}

// consume skips white space and then expects the byte c.
func (s *scanner) consume(c byte) bool {
	s.skipSpace()
	if s.pos < len(s.data) && s.data[s.pos] == c {
		s.pos++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.skipSpace()
	return s.pos == len(s.data)
}

// beginObject expects '{'.
func (s *scanner) beginObject() bool { return s.consume('{') }

// nextMember moves to the next member of an object whose '{' was consumed.
// It returns the member's name and ok; done is true at the closing '}'.
// first says whether this is the first call for the object.
func (s *scanner) nextMember(first bool) (name string, done, ok bool) {
	if s.consume('}') {
		return "", true, true
	}
	if !first && !s.consume(',') {
		return "", false, false
	}
	if s.peek() != kindString {
		return "", false, false
	}
	name, ok = s.readString()
	if !ok || !s.consume(':') {
		return "", false, false
	}
	return name, false, true
}

// readString reads a JSON string and returns its value. A string without
// escapes shares the scanner's memory; the caller must keep the data alive
// and unchanged, which the token does by owning it.
func (s *scanner) readString() (string, bool) {
	if !s.consume('"') {
		return "", false
	}
	start := s.pos
	for i := start; i < len(s.data); i++ {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			b := s.data[start:i]
			if !utf8.Valid(b) {
				return "", false
			}
			return unsafeString(b), true
		case c == '\\':
			return s.readEscaped(start)
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// readEscaped decodes a string that holds escapes, from start (just past the
// opening quote).
func (s *scanner) readEscaped(start int) (string, bool) {
	// Room for the string up to its closing quote, not the rest of the
	// claims: the decoded text is never longer than its escaped form.
	end := start
	for end < len(s.data) && s.data[end] != '"' {
		if s.data[end] == '\\' {
			end++
		}
		end++
	}
	out := make([]byte, 0, min(end, len(s.data))-start)
	i := start
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.pos = i + 1
			if !utf8.Valid(out) {
				return "", false
			}
			return unsafeString(out), true
		case c < 0x20:
			return "", false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s.data) {
			return "", false
		}
		e := s.data[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := s.readUnicode(i)
			if n == 0 {
				return "", false
			}
			i += n
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return "", false
}

// readUnicode decodes the hex digits of a \u escape starting at i, and the
// low half of a surrogate pair when one follows. It returns how many bytes it
// read, 0 when they are invalid. A lone surrogate becomes U+FFFD, as
// encoding/json does, so both decoders agree on every string.
func (s *scanner) readUnicode(i int) (rune, int) {
	r := hex4(s.data, i)
	if r < 0 {
		return 0, 0
	}
	if utf16.IsSurrogate(rune(r)) {
		if i+10 <= len(s.data) && s.data[i+4] == '\\' && s.data[i+5] == 'u' {
			if r2 := hex4(s.data, i+6); r2 >= 0 {
				if d := utf16.DecodeRune(rune(r), rune(r2)); d != utf8.RuneError {
					return d, 10
				}
			}
		}
		return utf8.RuneError, 4
	}
	return rune(r), 4
}

func hex4(b []byte, i int) int {
	if i+4 > len(b) {
		return -1
	}
	v := 0
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		v = v<<4 | int(c)
	}
	return v
}

// readNumber reads a JSON number and returns its literal text.
func (s *scanner) readNumber() ([]byte, bool) {
	s.skipSpace()
	start, i, b := s.pos, s.pos, s.data
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return nil, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return nil, false
		}
		i = j
	}
	s.pos = i
	return b[start:i], true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// readLiteral reads true, false or null.
func (s *scanner) readLiteral(lit string) bool {
	s.skipSpace()
	if len(s.data)-s.pos >= len(lit) && string(s.data[s.pos:s.pos+len(lit)]) == lit {
		s.pos += len(lit)
		return true
	}
	return false
}

// skipValue reads any value and checks it, nesting at most maxJSONDepth.
// It returns the value's raw bytes.
func (s *scanner) skipValue(depth int) ([]byte, bool) {
	k := s.peek()
	start := s.pos
	ok := false
	switch k {
	case kindString:
		_, ok = s.readString()
	case kindNumber:
		_, ok = s.readNumber()
	case kindTrue:
		ok = s.readLiteral("true")
	case kindFalse:
		ok = s.readLiteral("false")
	case kindNull:
		ok = s.readLiteral("null")
	case kindObject:
		ok = s.skipObject(depth + 1)
	case kindArray:
		ok = s.skipArray(depth + 1)
	}
	if !ok {
		return nil, false
	}
	return s.data[start:s.pos], true
}

func (s *scanner) skipObject(depth int) bool {
	if depth > maxJSONDepth || !s.beginObject() {
		return false
	}
	for first := true; ; first = false {
		_, done, ok := s.nextMember(first)
		if !ok {
			return false
		}
		if done {
			return true
		}
		if _, ok := s.skipValue(depth); !ok {
			return false
		}
	}
}

func (s *scanner) skipArray(depth int) bool {
	if depth > maxJSONDepth || !s.consume('[') {
		return false
	}
	if s.consume(']') {
		return true
	}
	for {
		if _, ok := s.skipValue(depth); !ok {
			return false
		}
		if s.consume(']') {
			return true
		}
		if !s.consume(',') {
			return false
		}
	}
}

// readStringArray reads an array of strings.
func (s *scanner) readStringArray() ([]string, bool) {
	if !s.consume('[') {
		return nil, false
	}
	if s.consume(']') {
		return []string{}, true
	}
	var out []string
	for {
		if s.peek() != kindString {
			return nil, false
		}
		v, ok := s.readString()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if s.consume(']') {
			return out, true
		}
		if !s.consume(',') {
			return nil, false
		}
	}
}

// readStringOrNumber reads a string, or a number as its literal text.
// simplejwt's user_id is an integer; other issuers send strings.
func (s *scanner) readStringOrNumber() (string, bool) {
	switch s.peek() {
	case kindString:
		return s.readString()
	case kindNumber:
		b, ok := s.readNumber()
		return unsafeString(b), ok
	}
	return "", false
}

// parseNumericDate converts a number literal to Unix seconds. Integers of up
// to 15 digits take a fast path; anything else goes through ParseFloat.
func parseNumericDate(b []byte) (float64, bool) {
	if len(b) > 0 && len(b) <= 15 {
		var n int64
		for _, c := range b {
			if c < '0' || c > '9' {
				goto slow
			}
			n = n*10 + int64(c-'0')
		}
		return float64(n), true
	}
slow:
	f, err := strconv.ParseFloat(unsafeString(b), 64)
	return f, err == nil
}

// unsafeString views b as a string without copying. Callers only pass
// memory that is never written again.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// unsafeBytes views s as bytes without copying, for reading only.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
