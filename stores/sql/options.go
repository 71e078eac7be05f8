package sqlstore

import (
	"fmt"
	"log/slog"
	"time"
)

// DefaultTablePrefix is the prefix of the store's table names unless
// [WithTablePrefix] says otherwise.
const DefaultTablePrefix = "jwtguard_"

// DefaultPurgeInterval is how often, at most, writes delete expired entries
// unless [WithPurgeInterval] says otherwise.
const DefaultPurgeInterval = time.Minute

// Limits on names, so that every table and index name derived from them
// fits PostgreSQL's 63 bytes.
const (
	maxPrefixLen = 40
	maxSchemaLen = 63
)

// Option configures a [Store] made by [New] or [OpenSQLite]. Options check
// their arguments; New reports every problem at once and never panics.
type Option func(*config)

type config struct {
	prefix        string
	schema        string
	purgeInterval time.Duration
	logger        *slog.Logger
	createTables  bool
	listenRetry   time.Duration // 0: no change feed across processes
	errs          []error
}

func newConfig(opts []Option) *config {
	c := &config{
		prefix:        DefaultTablePrefix,
		purgeInterval: DefaultPurgeInterval,
		logger:        slog.New(slog.DiscardHandler),
		createTables:  true,
		listenRetry:   DefaultListenRetry,
	}
	for i, opt := range opts {
		if opt == nil {
			c.fail("option %d is nil", i)
			continue
		}
		opt(c)
	}
	return c
}

func (c *config) fail(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("sqlstore: "+format, args...))
}

// WithTablePrefix sets the prefix of the store's table names: the tables
// are prefix+"tokens", prefix+"families" and prefix+"subjects", and their
// indexes start with the same prefix. The default is [DefaultTablePrefix],
// "jwtguard_". A prefix is at most 40 bytes of lowercase ASCII letters,
// digits and underscores, and does not start with a digit; it may be empty.
// Stores with different prefixes in one database keep separate state. The
// schema's version is kept in prefix+"store_migrations".
func WithTablePrefix(prefix string) Option {
	return func(c *config) {
		if prefix != "" && !validIdent(prefix, maxPrefixLen) {
			c.fail("table prefix %q: want at most %d lowercase ASCII letters, digits and underscores, not starting with a digit", prefix, maxPrefixLen)
		}
		c.prefix = prefix
	}
}

// WithSchema qualifies the store's tables with a schema: a PostgreSQL
// schema, or on SQLite "main" or a database that every connection of the
// pool attaches. The schema must exist; the store creates tables, not
// schemas. The name follows the rules
// of [WithTablePrefix] but may be 63 bytes long and may not be empty. By
// default names are not qualified: PostgreSQL looks them up through the
// connection's search_path, and SQLite in its main database.
func WithSchema(schema string) Option {
	return func(c *config) {
		if !validIdent(schema, maxSchemaLen) {
			c.fail("schema %q: want 1 to %d lowercase ASCII letters, digits and underscores, not starting with a digit", schema, maxSchemaLen)
		}
		c.schema = schema
	}
}

// WithPurgeInterval sets how often, at most, a write also deletes the
// entries past their expiry. The default is [DefaultPurgeInterval], one
// minute. Zero turns this off: call [Store.Purge] yourself, from a timer or
// a cron job, or the tables grow without bound. Expired entries are never
// reported, purged or not. A negative interval is an error.
func WithPurgeInterval(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.fail("purge interval %v is negative", d)
		}
		c.purgeInterval = d
	}
}

// WithLogger sets where the store reports failures of the purge that
// writes run, at level Warn; they are not returned, since the write itself
// succeeded. The default logger discards everything. Logs never hold token
// IDs, families or subjects.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l == nil {
			c.fail("nil logger")
		}
		c.logger = l
	}
}

// WithoutCreateTables makes [New] check that the store's tables exist
// instead of creating and migrating them, for a database whose schema is
// managed by the application's migrations and whose user may not create
// tables. [CreateTablesSQL] returns the statements that create them. New
// still refuses tables whose recorded version is newer than
// [SchemaVersion].
func WithoutCreateTables() Option {
	return func(c *config) {
		c.createTables = false
	}
}

// WithListenRetry sets how long the PostgreSQL change listener waits
// before it connects again after losing its connection; the default is
// [DefaultListenRetry], one second. Meanwhile cached answers hold for
// their cache time only, and the listener's return drops them all. d must
// be within (0, 1m].
func WithListenRetry(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 || d > time.Minute {
			c.fail("listen retry %v is outside (0, 1m]", d)
		}
		c.listenRetry = d
	}
}

// WithoutChangeFeed keeps the store from listening for the revocations
// of other processes on PostgreSQL and from announcing its own: their
// verifiers then learn of a revocation within their cache time. It
// frees the connection of the pool the listener holds.
func WithoutChangeFeed() Option {
	return func(c *config) {
		c.listenRetry = 0
	}
}
