package main

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/jwtguard/jwtguard"
	jwtguarddjango "github.com/jwtguard/jwtguard/django"
)

// Password hashing: argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane),
// stored in the PHC string format.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

func hashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword compares in constant time; a malformed hash never matches.
func checkPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is checked against for unknown users, so that a login takes
// as long whether or not the user exists.
var dummyHash, _ = hashPassword("not a password anyone has")

// users is the application's side of jwtguard: it checks credentials for
// the obtain endpoint and tells the Guard whether a user still exists and
// is active. Every password hash runs through gate; a new user's also
// through creates, which holds half of gate's slots at most, so that a
// flood of registrations cannot keep everyone from signing in.
type users struct {
	db      *db
	gate    *hashGate
	creates *hashGate
	// django, with -django-database, signs in and checks Django's users.
	django *jwtguarddjango.Users
}

// Authenticate implements jwtguard.Authenticator. When every hashing slot
// stays taken it returns errHashBusy, which the endpoint answers with 503.
func (u users) Authenticate(ctx context.Context, username, password string) (string, bool, error) {
	if u.django != nil {
		var id string
		var active bool
		var err error
		if gateErr := u.gate.do(ctx, func() { id, active, err = u.django.Authenticate(ctx, username, password) }); gateErr != nil {
			return "", false, gateErr
		}
		return id, active, err
	}
	row, err := u.db.userByName(ctx, username)
	hash := dummyHash
	switch {
	case errors.Is(err, errNoRow):
	case err != nil:
		return "", false, err
	default:
		hash = row.Password
	}
	var match bool
	if err := u.gate.do(ctx, func() { match = checkPassword(hash, password) }); err != nil {
		return "", false, err
	}
	if row == nil || !match {
		return "", false, jwtguard.ErrInvalidCredentials
	}
	return strconv.FormatInt(row.ID, 10), row.Active, nil
}

// load loads the user with ID id for the Guard's user check, which
// refuses a user gone or inactive and hands an active one to the handlers
// (jwtguard.UserFromRequest), so that they need not query again. The
// password hash stays out of it: no handler needs it. With
// -django-database the same query reads Django's auth_user.
func (u users) load(ctx context.Context, id string) (*user, bool, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, false, jwtguard.ErrUserNotFound
	}
	row, err := u.db.userByID(ctx, n)
	switch {
	case errors.Is(err, errNoRow):
		return nil, false, jwtguard.ErrUserNotFound
	case err != nil:
		return nil, false, err
	}
	row.Password = ""
	return row, row.Active, nil
}

// create adds a user with a hashed password; errHashBusy when every
// hashing slot stays taken.
func (u users) create(ctx context.Context, username, password string, active bool) (*user, error) {
	if u.django != nil {
		return nil, errDjangoUsers
	}
	var hash string
	var err error
	var gateErr error
	if creatErr := u.creates.do(ctx, func() {
		gateErr = u.gate.do(ctx, func() { hash, err = hashPassword(password) })
	}); creatErr != nil {
		return nil, creatErr
	}
	if gateErr != nil {
		return nil, gateErr
	}
	if err != nil {
		return nil, err
	}
	row := &user{Username: username, Password: hash, Active: active}
	return row, u.db.createUser(ctx, row)
}
