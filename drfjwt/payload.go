package drfjwt

import (
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// The token shape: the payload of jwt_payload_handler, written as PyJWT
// writes it (json.dumps with compact separators and ensure_ascii), under
// the header PyJWT 1.x wrote. A token minted here from the same claims
// and secret is the very token the old library returned.

// appendPayload appends the claims set of u's token, in the old library's
// order: user_id, username, exp, email, orig_iat.
func appendPayload(dst []byte, u User, exp, origIAT time.Time) []byte {
	dst = append(dst, `{"user_id":`...)
	dst = appendUserID(dst, u.ID)
	dst = append(dst, `,"username":`...)
	dst = appendPyString(dst, u.Username)
	dst = append(dst, `,"exp":`...)
	dst = strconv.AppendInt(dst, exp.Unix(), 10)
	dst = append(dst, `,"email":`...)
	dst = appendPyString(dst, u.Email)
	dst = append(dst, `,"orig_iat":`...)
	dst = strconv.AppendInt(dst, origIAT.Unix(), 10)
	return append(dst, '}')
}

// appendUserID writes a primary key as Django's user.pk: a JSON number for
// a canonical decimal integer, a string otherwise (a UUID, which the old
// library wrote as str(pk)).
func appendUserID(dst []byte, id string) []byte {
	if isCanonicalInt(id) {
		return append(dst, id...)
	}
	return appendPyString(dst, id)
}

// isCanonicalInt reports whether s is a non-negative int64 written as
// strconv writes it, so that it reads back as the same text.
func isCanonicalInt(s string) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n >= 0 && strconv.FormatInt(n, 10) == s
}

// appendPyString appends s as Python's json.dumps writes a str with
// ensure_ascii: printable ASCII as is, \" \\ \n \r \t \b \f, every other
// character as \uXXXX (UTF-16, surrogate pairs above U+FFFF). Invalid
// UTF-8 becomes U+FFFD.
func appendPyString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	u := func(dst []byte, r rune) []byte {
		return append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
	}
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
			case c == '\b':
				dst = append(dst, '\\', 'b')
			case c == '\f':
				dst = append(dst, '\\', 'f')
			case c < 0x20 || c == 0x7f:
				dst = u(dst, rune(c))
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r > 0xffff {
			hi, lo := utf16.EncodeRune(r)
			dst = u(u(dst, hi), lo)
			continue
		}
		dst = u(dst, r) // RuneError for invalid UTF-8 too
	}
	return append(dst, '"')
}

// header returns PyJWT 1.x's JOSE header for alg: "typ" before "alg".
func header(alg string) []byte {
	return []byte(`{"typ":"JWT","alg":"` + alg + `"}`)
}
