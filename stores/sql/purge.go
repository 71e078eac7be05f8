package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// Purge deletes every entry past its expiry and returns how many rows it
// deleted. Writes run it themselves at most once per purge interval (see
// [WithPurgeInterval]); call it yourself when that is turned off. Expired
// entries are never reported, so purging changes no answer: it only keeps
// the tables as small as the tokens still alive. Safe to run from several
// processes at once.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	return s.purge(ctx, s.now())
}

func (s *Store) purge(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for _, st := range s.q.purge {
		if err := s.acquire(ctx); err != nil {
			return total, err
		}
		res, err := st.exec(ctx, s.db, floorMillis(now))
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		s.release()
		if err != nil {
			return total, fmt.Errorf("sqlstore: purge: %w", err)
		}
		total += n
	}
	return total, nil
}

// purgeLazily purges after a write when the purge interval has passed since
// the last time; of concurrent writers, one purges. A failure is logged,
// not returned: the write succeeded, and the next interval tries again.
func (s *Store) purgeLazily(ctx context.Context, now time.Time) {
	if s.purgeInterval <= 0 {
		return
	}
	next := s.nextPurge.Load()
	if now.UnixNano() < next || !s.nextPurge.CompareAndSwap(next, now.Add(s.purgeInterval).UnixNano()) {
		return
	}
	if _, err := s.purge(ctx, now); err != nil {
		s.logger.WarnContext(ctx, "sqlstore: purging expired entries failed", "err", err)
	}
}
