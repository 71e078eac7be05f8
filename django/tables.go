package jwtguarddjango

import "fmt"

// Tables names the tables and columns of the Django project, with Django's
// defaults in [DefaultTables]. Names are lowercase SQL identifiers (letters,
// digits, underscores), checked by [Open].
type Tables struct {
	// Users is the user model's table: auth_user, or a custom model's
	// (AUTH_USER_MODEL).
	Users string
	// UserID, Username, Password and IsActive are its columns: the primary
	// key, the USERNAME_FIELD (username, or email for many custom
	// models), the password hash and the active flag.
	UserID, Username, Password, IsActive string
	// TextUserID is true when the primary key is not an integer (a UUID or
	// text key); the user ID is then compared as text.
	TextUserID bool

	// Outstanding and Blacklisted are simplejwt's token_blacklist tables.
	Outstanding, Blacklisted string

	// State is jwtguard's own table, in the same database, for what
	// simplejwt's tables cannot hold: spent tokens, session (family) and
	// subject revocations, revoked tokens that are not refresh tokens,
	// and the session of each refresh token issued. [DB.Migrate] creates
	// it and alters none of Django's tables (only the opt-in
	// [DB.InstallUserTrigger] adds a trigger to the user table).
	State string
}

// DefaultTables are the names of a Django project with the default user
// model and simplejwt's token_blacklist app.
var DefaultTables = Tables{
	Users:       "auth_user",
	UserID:      "id",
	Username:    "username",
	Password:    "password",
	IsActive:    "is_active",
	Outstanding: "token_blacklist_outstandingtoken",
	Blacklisted: "token_blacklist_blacklistedtoken",
	State:       "jwtguard_token_state",
}

// check returns an error naming every name that is not a lowercase SQL
// identifier.
func (t Tables) check() []error {
	var errs []error
	for _, n := range []struct{ what, name string }{
		{"users table", t.Users}, {"user id column", t.UserID}, {"username column", t.Username},
		{"password column", t.Password}, {"is_active column", t.IsActive},
		{"outstanding table", t.Outstanding}, {"blacklisted table", t.Blacklisted}, {"state table", t.State},
	} {
		if !validIdent(n.name) {
			errs = append(errs, fmt.Errorf("jwtguarddjango: %s %q is not a lowercase SQL identifier", n.what, n.name))
		}
	}
	return errs
}

// validIdent reports whether s is a lowercase SQL identifier of at most 63
// bytes (PostgreSQL's limit): ASCII letters, digits and underscores, not
// starting with a digit.
func validIdent(s string) bool {
	if s == "" || len(s) > 63 || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
