package chaos

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	sqlstore "github.com/jwtguard/jwtguard/stores/sql"
)

// smallDisk mounts a tmpfs of size bytes for the test, unmounted when it
// ends. Mounting needs root (CAP_SYS_ADMIN): without it the test is
// skipped (fails under CI).
//
// A disk turning read-only under the store is not among the faults: a
// remount read-only is refused while the database files are open for
// writing, and root ignores file modes.
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		skipOrFail(t, "cannot mount a tmpfs to fill or make read-only (needs root): "+err.Error()+": "+string(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// sqliteOnSmallDisk opens a SQLite store on a tmpfs of its own.
func sqliteOnSmallDisk(t *testing.T) (*sqlstore.Store, string) {
	t.Helper()
	dir := smallDisk(t, "8m")
	store, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(dir, "tokens.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, dir
}

// TestSQLiteDiskFull: the SQLite store's disk fills up under load for two
// seconds. Writes fail with 503, reads go on, no revoked token passes (a
// logout confirmed is a logout kept), and service is back once space is.
func TestSQLiteDiskFull(t *testing.T) {
	store, dir := sqliteOnSmallDisk(t)
	srv := newTokenServer(t, store)
	filler := filepath.Join(dir, "filler")
	fill := func() {
		f, err := os.Create(filler)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		chunk := make([]byte, 64<<10)
		for {
			if _, err := f.Write(chunk); err != nil {
				return // the disk is full
			}
		}
	}
	tl := underFault(t, srv.URL, 2*time.Second, 2*time.Second, 2*time.Second, fill, func() { os.Remove(filler) })
	tl.check(t, storeTimeout+time.Second, storeTimeout+time.Second)
}
