package jwtguard

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendJSONString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json writes it.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// appendUserID appends a user ID as simplejwt writes it: the JSON number
// for a canonical decimal integer (a database primary key), a string for
// anything else. asString forces a string, as RFC 7519 asks of "sub".
func appendUserID(dst []byte, id string, asString bool) []byte {
	if !asString && isCanonicalInt(id) {
		return append(dst, id...)
	}
	return appendJSONString(dst, id)
}

// isCanonicalInt reports whether s is an int64 written without sign,
// leading zeros or anything else, so it reads back as the same text.
func isCanonicalInt(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(s, 10, 64)
	return err == nil
}

// appendMembers appends ,"name":value for each entry of m, names sorted,
// values as encoding/json writes them.
func appendMembers(dst []byte, m map[string]any) ([]byte, error) {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v, err := json.Marshal(m[name])
		if err != nil {
			return nil, configError("claim %q: %v", name, err)
		}
		dst = append(dst, ',')
		dst = appendJSONString(dst, name)
		dst = append(dst, ':')
		dst = append(dst, v...)
	}
	return dst, nil
}
