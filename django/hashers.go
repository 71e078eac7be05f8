package jwtguarddjango

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// ErrUnsupportedHasher: the stored password hash was made by a Django
// hasher this package does not verify (md5, sha1, scrypt, unsalted, crypt,
// plain bcrypt, argon2d, argon2 before version 19), or its parameters are
// out of the bounds below. The sign-in is refused as a wrong password is;
// the error, which also matches [jwtguard.ErrInvalidCredentials], reaches
// the endpoints' login hook so that the application can log it. Signing the
// user in once at Django upgrades the hash to Django's default hasher.
var ErrUnsupportedHasher = errors.New("jwtguarddjango: unsupported Django password hasher")

// Bounds on the cost parameters read from a stored hash, so that a hash
// written by mistake (or by someone with write access to the table) cannot
// make one sign-in take minutes or gigabytes.
const (
	maxPBKDF2Iterations = 10_000_000
	maxArgon2Memory     = 1 << 20 // KiB: 1 GiB
	maxArgon2Time       = 100
	maxArgon2Threads    = 255
	maxBcryptCost       = 16
)

// VerifyPassword reports whether password matches encoded, a password hash
// as Django stores it in auth_user.password: "pbkdf2_sha256$…" (Django's
// default, with the iterations the hash names), "pbkdf2_sha1$…",
// "argon2$argon2id$…" or "argon2$argon2i$…", and "bcrypt_sha256$…". An
// unusable password (Django's "!…") matches nothing. A hash of another
// hasher returns an error matching [ErrUnsupportedHasher]. The comparison
// of the derived keys takes constant time. It is safe for concurrent use.
func VerifyPassword(password, encoded string) (bool, error) {
	algorithm, rest, ok := strings.Cut(encoded, "$")
	if !ok || strings.HasPrefix(encoded, "!") {
		return false, nil // unusable, or not a Django hash at all
	}
	switch algorithm {
	case "pbkdf2_sha256":
		return verifyPBKDF2(sha256.New, password, rest)
	case "pbkdf2_sha1":
		return verifyPBKDF2(sha1.New, password, rest)
	case "argon2":
		return verifyArgon2(password, rest)
	case "bcrypt_sha256":
		return verifyBcryptSHA256(password, rest)
	}
	return false, unsupported("hasher %q", algorithm)
}

func unsupported(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUnsupportedHasher}, args...)...)
}

// verifyPBKDF2 checks "iterations$salt$base64(key)".
func verifyPBKDF2(h func() hash.Hash, password, rest string) (bool, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 3 {
		return false, unsupported("malformed pbkdf2 hash")
	}
	iterations, err := strconv.Atoi(parts[0])
	if err != nil || iterations < 1 || iterations > maxPBKDF2Iterations {
		return false, unsupported("pbkdf2 iterations %q", parts[0])
	}
	want, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(want) == 0 {
		return false, unsupported("malformed pbkdf2 hash")
	}
	got, err := pbkdf2.Key(h, password, []byte(parts[1]), iterations, len(want))
	if err != nil {
		return false, unsupported("pbkdf2: %v", err)
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// verifyArgon2 checks "argon2id$v=19$m=…,t=…,p=…$salt$key" (base64 without
// padding), as argon2-cffi writes it after Django's "argon2" prefix.
func verifyArgon2(password, rest string) (bool, error) {
	parts := strings.Split(rest, "$")
	if len(parts) != 5 || parts[1] != "v=19" {
		return false, unsupported("argon2 hash that is not version 19")
	}
	var m, t, p uint64
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil ||
		m < 8 || m > maxArgon2Memory || t < 1 || t > maxArgon2Time || p < 1 || p > maxArgon2Threads ||
		parts[2] != fmt.Sprintf("m=%d,t=%d,p=%d", m, t, p) {
		return false, unsupported("argon2 parameters %q", parts[2])
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[3])
	want, err2 := enc.DecodeString(parts[4])
	if err1 != nil || err2 != nil || len(want) < 4 {
		return false, unsupported("malformed argon2 hash")
	}
	var got []byte
	switch parts[0] {
	case "argon2id":
		got = argon2.IDKey([]byte(password), salt, uint32(t), uint32(m), uint8(p), uint32(len(want)))
	case "argon2i":
		got = argon2.Key([]byte(password), salt, uint32(t), uint32(m), uint8(p), uint32(len(want)))
	default:
		return false, unsupported("argon2 variant %q", parts[0])
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// verifyBcryptSHA256 checks "$2b$cost$…": bcrypt of the hex SHA-256 of the
// password, which keeps passwords longer than bcrypt's 72 bytes whole.
func verifyBcryptSHA256(password, rest string) (bool, error) {
	if cost, err := bcrypt.Cost([]byte(rest)); err != nil || cost > maxBcryptCost {
		return false, unsupported("bcrypt_sha256 hash with cost %d", cost)
	}
	sum := sha256.Sum256([]byte(password))
	digest := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(digest, sum[:])
	switch err := bcrypt.CompareHashAndPassword([]byte(rest), digest); {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, unsupported("bcrypt: %v", err)
	}
}
