package jwtguard

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FollowChanges subscribes again after each failure, retry apart on the
// real clock, tells lost every error, and stops when lost says so.
func TestFollowChangesRetries(t *testing.T) {
	const retry = 20 * time.Millisecond
	var calls []time.Time
	var lostErrs []error
	broken := errors.New("connection lost")
	FollowChanges(context.Background(), retry, func(context.Context) error {
		calls = append(calls, time.Now())
		return broken
	}, func(err error) bool {
		lostErrs = append(lostErrs, err)
		return len(lostErrs) < 3
	})
	if len(calls) != 3 || len(lostErrs) != 3 {
		t.Fatalf("%d subscriptions, %d losses; want 3 and 3 (the third loss stops it)", len(calls), len(lostErrs))
	}
	for i, err := range lostErrs {
		if !errors.Is(err, broken) {
			t.Errorf("loss %d: %v", i, err)
		}
	}
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].Sub(calls[i-1]); gap < retry {
			t.Errorf("subscription %d came %s after the previous, before the retry of %s", i, gap, retry)
		}
	}
}

// FollowChanges returns when ctx ends, whether receive is running or it
// is waiting to retry, and does not call lost for the end of ctx.
func TestFollowChangesStopsWithContext(t *testing.T) {
	for _, during := range []string{"receive", "retry"} {
		t.Run(during, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			losses := 0
			done := make(chan struct{})
			go func() {
				defer close(done)
				FollowChanges(ctx, time.Hour, func(ctx context.Context) error {
					if during == "retry" {
						return errors.New("connection lost")
					}
					<-ctx.Done()
					return ctx.Err()
				}, func(error) bool { losses++; return true })
			}()
			time.Sleep(20 * time.Millisecond)
			cancel()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("FollowChanges did not return after ctx ended")
			}
			if want := map[string]int{"receive": 0, "retry": 1}[during]; losses != want {
				t.Errorf("lost called %d times, want %d", losses, want)
			}
		})
	}
}
