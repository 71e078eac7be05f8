//go:build linux

package deploytest

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestRegistrationFloodMemory sends 120 concurrent registrations to the
// tasks binary, first from 120 client addresses (the hashing bound holds
// memory) and then from one (the registration throttle answers 429), and
// reads the process's peak resident memory. Each argon2id hash holds
// 19 MiB: unbounded, the first burst alone took the server past 2 GB.
func TestRegistrationFloodMemory(t *testing.T) {
	const burst, maxRSS = 120, 400 << 20
	app := startTasks(t, buildTasks(t))
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: burst}, Timeout: 60 * time.Second}
	flood := func(name string, from func(i int) string) map[int]int {
		var wg sync.WaitGroup
		var mu sync.Mutex
		statuses := map[int]int{}
		for i := range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"username":"%s%d","password":"flood password %d"}`, name, i, i)
				req, _ := http.NewRequest("POST", "http://"+app.addr+"/api-register/", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", from(i))
				status := 0
				if res, err := client.Do(req); err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					status = res.StatusCode
				}
				mu.Lock()
				statuses[status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		return statuses
	}
	// A user signs in while the first burst runs: the registrations hold
	// at most half of the hashing slots, so the sign-in is served.
	signIn := make(chan string, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		res, err := client.Post("http://"+app.addr+"/api/token/", "application/json", strings.NewReader(`{"username":"vitor","password":"123"}`))
		if err != nil {
			signIn <- err.Error()
			return
		}
		res.Body.Close()
		signIn <- fmt.Sprintf("%d in %v", res.StatusCode, time.Since(start).Round(time.Millisecond))
	}()
	many := flood("many", func(i int) string { return "10.0." + strconv.Itoa(i/200) + "." + strconv.Itoa(i%200+1) })
	signedIn := <-signIn
	if !strings.HasPrefix(signedIn, "200 ") {
		t.Errorf("sign-in during the burst: %s, want 200", signedIn)
	}
	one := flood("one", func(int) string { return "203.0.113.7" })
	hwm := peakRSS(t, app.cmd.Process.Pid)
	t.Logf("120 clients: %v; a sign-in meanwhile: %s; one client: %v; peak RSS %d MiB", many, signedIn, one, hwm>>20)
	for status := range many {
		if status != http.StatusCreated && status != http.StatusServiceUnavailable {
			t.Errorf("from 120 clients: statuses %v, want only 201 and 503", many)
		}
	}
	if one[http.StatusTooManyRequests] == 0 {
		t.Errorf("from one client: statuses %v, want some 429", one)
	}
	if hwm > maxRSS {
		t.Errorf("peak RSS %d MiB, bound %d MiB", hwm>>20, maxRSS>>20)
	}
}

// peakRSS reads a process's peak resident set size (VmHWM).
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}
