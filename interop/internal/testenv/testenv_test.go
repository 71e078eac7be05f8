package testenv

import "testing"

func TestAtLeast(t *testing.T) {
	want := [3]int{20, 19, 0}
	for _, c := range []struct {
		version string
		ok      bool
	}{
		{"v20.19.0", true},
		{"v20.20.2", true},
		{"v22.1.0", true},
		{"v100.0.0", true},
		{"v20.18.9", false},
		{"v18.20.4", false},
		{"v20.19", false},
		{"", false},
		{"v20.x.0", false},
		{"v21.0.0-pre", true},
	} {
		if got := atLeast(c.version, want); got != c.ok {
			t.Errorf("atLeast(%q) = %v, want %v", c.version, got, c.ok)
		}
	}
}
