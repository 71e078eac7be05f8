package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	jwtguarddjango "github.com/jwtguard/jwtguard/django"
	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// errDjangoUsers: with -django-database the users are Django's, created
// and changed at the Django site only, so that no password hash Django
// cannot read is ever written.
var errDjangoUsers = errors.New("users are managed by the Django project")

// openDjango opens the Django project's database named by rawURL
// (sqlite:///path or postgres://…) twice over: as the tutorial's database,
// its tasks_task table beside Django's and its users Django's auth_user,
// and as jwtguarddjango's view of Django's users and simplejwt's blacklist.
func openDjango(ctx context.Context, rawURL string) (*db, *jwtguarddjango.DB, error) {
	dj, err := jwtguarddjango.Open(ctx, rawURL)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*db, *jwtguarddjango.DB, error) { dj.Close(); return nil, nil, err }
	if err := dj.Migrate(ctx); err != nil {
		return fail(err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fail(err)
	}
	d := &db{userTable: "auth_user"}
	if u.Scheme == "sqlite" {
		// Django's file: its journal mode is left as Django set it.
		d.dialect = sqlstore.SQLite
		d.DB, err = sql.Open("sqlite", "file:"+(&url.URL{Path: u.Path}).EscapedPath()+
			"?mode=rw&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_txlock=immediate")
		if err == nil {
			setPool(d.DB, sqliteConns)
		}
	} else {
		d.dialect = sqlstore.PostgreSQL
		d.DB, err = sql.Open("pgx", rawURL)
		if err == nil {
			setPool(d.DB, postgresConns)
		}
	}
	if err != nil {
		return fail(err)
	}
	mctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := d.migrate(mctx); err != nil {
		d.Close()
		return fail(fmt.Errorf("the Django database: %w", err))
	}
	if err := d.prepare(mctx); err != nil {
		d.Close()
		return fail(err)
	}
	return d, dj, nil
}
