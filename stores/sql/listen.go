package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/jwtguard/jwtguard"
)

// listenPing is how long the listener waits for a notification before it
// checks, with a ping, that its connection still answers.
const listenPing = 10 * time.Second

// errNotPgx: the pool's driver is not pgx's, whose connections can wait
// for notifications.
var errNotPgx = errors.New("the database/sql driver is not github.com/jackc/pgx/v5/stdlib")

// listener holds one connection of the pool in LISTEN on the store's
// channel and delivers what arrives. When the connection breaks it waits
// retry, connects again, and delivers ChangedAll before anything else:
// what was sent meanwhile was missed, so every cached answer is asked of
// the database again.
type listener struct {
	db      *sql.DB
	channel string
	retry   time.Duration
	hub     *jwtguard.ChangeHub
	log     *slog.Logger

	cancel context.CancelFunc
	done   sync.WaitGroup
}

// startListener starts the listener's goroutine; stop ends it.
func startListener(db *sql.DB, channel string, retry time.Duration, hub *jwtguard.ChangeHub, log *slog.Logger) *listener {
	ctx, cancel := context.WithCancel(context.Background())
	l := &listener{db: db, channel: channel, retry: retry, hub: hub, log: log, cancel: cancel}
	l.done.Add(1)
	go l.run(ctx)
	return l
}

func (l *listener) stop() {
	l.cancel()
	l.done.Wait()
}

func (l *listener) run(ctx context.Context) {
	defer l.done.Done()
	jwtguard.FollowChanges(ctx, l.retry, l.listen, func(err error) bool {
		if errors.Is(err, errNotPgx) {
			l.log.Warn("sqlstore: no change feed: the database/sql driver is not pgx's, so the store cannot LISTEN; cached answers keep their bounded staleness only", "err", err)
			return false
		}
		l.log.Warn("sqlstore: the change listener lost its connection; cached answers hold for their cache time until it is back",
			"err", err, "retry", l.retry)
		return true
	})
}

// listen listens on one connection until it fails or ctx is done. The
// connection is never given back to the pool: it is discarded.
func (l *listener) listen(ctx context.Context) error {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	var cause error
	conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			cause = fmt.Errorf("%w: its connections are %T", errNotPgx, dc)
			return driver.ErrBadConn
		}
		cause = l.receive(ctx, sc)
		return driver.ErrBadConn // a listening connection must not go back to the pool
	})
	return cause
}

func (l *listener) receive(ctx context.Context, sc *stdlib.Conn) error {
	pc := sc.Conn()
	if _, err := pc.Exec(ctx, `LISTEN "`+strings.ReplaceAll(l.channel, `"`, `""`)+`"`); err != nil {
		return err
	}
	l.hub.Deliver(jwtguard.Change{Kind: jwtguard.ChangedAll})
	for {
		wctx, cancel := context.WithTimeout(ctx, listenPing)
		n, err := pc.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			pctx, cancel := context.WithTimeout(ctx, listenPing)
			err = pc.Ping(pctx)
			cancel()
			if err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		var c jwtguard.Change
		if err := c.UnmarshalText([]byte(n.Payload)); err != nil {
			l.log.Warn("sqlstore: a malformed change on the channel; every cached answer is dropped", "err", err)
			c = jwtguard.Change{Kind: jwtguard.ChangedAll}
		}
		l.hub.Deliver(c)
	}
}
