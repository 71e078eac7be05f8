package jwtguarddjango

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/jwtguard/jwtguard"
)

// Users signs in the Django project's users and checks them: a
// [jwtguard.Authenticator] for the token endpoints, and a
// [jwtguard.UserLookup] for [jwtguard.WithUserLookup], over the user table
// ([Tables.Users]). It verifies passwords as Django does
// ([VerifyPassword]) and refuses an inactive user (is_active false) as
// Django's ModelBackend does. It only reads the table: it never writes a
// password hash, nor upgrades one (Django does that at the user's next
// sign-in there). It is safe for concurrent use.
type Users struct {
	d *DB
	// last is the last hash verified, which a sign-in for an unknown user
	// verifies too, so that it costs what a known user's does.
	last atomic.Pointer[string]
}

var (
	_ jwtguard.Authenticator = (*Users)(nil)
	_ jwtguard.UserLookup    = (*Users)(nil)
)

// Users returns the project's users.
func (d *DB) Users() *Users { return &Users{d: d} }

// dummyHash is verified for an unknown user until a real hash was seen:
// Django 4.2's default hasher and iterations.
const dummyHash = "pbkdf2_sha256$600000$jwtguarddummysalt$C6KHWBXII2wlW92hEttRruwJAEFASaWL6erv0ugPpE4="

// Authenticate implements [jwtguard.Authenticator]. The username is
// matched exactly, as Django's ModelBackend does. A stored hash of a
// hasher this package does not verify refuses the sign-in with an error
// matching both [jwtguard.ErrInvalidCredentials] and
// [ErrUnsupportedHasher].
func (u *Users) Authenticate(ctx context.Context, username, password string) (string, bool, error) {
	var id, encoded string
	var active bool
	err := sql.ErrNoRows // no username Django accepts holds NUL or invalid UTF-8, which PostgreSQL refuses to compare
	if validText(username) {
		err = u.d.db.QueryRowContext(ctx, u.d.q.userByName, username).Scan(&id, &encoded, &active)
	}
	if errors.Is(err, sql.ErrNoRows) {
		h := dummyHash
		if p := u.last.Load(); p != nil {
			h = *p
		}
		_, _ = VerifyPassword(password, h)
		return "", false, jwtguard.ErrInvalidCredentials
	}
	if err != nil {
		return "", false, err
	}
	ok, err := VerifyPassword(password, encoded)
	if err != nil {
		return "", false, errors.Join(jwtguard.ErrInvalidCredentials, err)
	}
	u.last.Store(&encoded)
	if !ok {
		return "", false, jwtguard.ErrInvalidCredentials
	}
	return id, active, nil
}

// validText reports whether s can be a text parameter of either database:
// valid UTF-8 without NUL.
func validText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// LookupUser implements [jwtguard.UserLookup]: whether the user with the
// primary key id is active, or [jwtguard.ErrUserNotFound].
func (u *Users) LookupUser(ctx context.Context, id string) (bool, error) {
	key := u.d.userParam(id)
	if key == nil {
		return false, jwtguard.ErrUserNotFound
	}
	var active bool
	err := u.d.db.QueryRowContext(ctx, u.d.q.userByID, key).Scan(&active)
	if errors.Is(err, sql.ErrNoRows) {
		return false, jwtguard.ErrUserNotFound
	}
	return active, err
}
