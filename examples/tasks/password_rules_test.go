package main

import "testing"

func TestPasswordProblems(t *testing.T) {
	for _, c := range []struct {
		password string
		want     []string
	}{
		{"correct horse battery", nil},
		{"1234567", []string{msgPasswordShort}},
		{"ação-ção", nil}, // eight characters, more bytes
		{"QWERTY123", []string{msgPasswordCommon}},
		{"  letmein1 ", []string{msgPasswordCommon}},
	} {
		got := passwordProblems(c.password)
		if len(got) != len(c.want) || len(got) > 0 && got[0] != c.want[0] {
			t.Errorf("passwordProblems(%q) = %q, want %q", c.password, got, c.want)
		}
	}
}

// Several errors of one field are one list, as DRF writes them.
func TestFieldErrorsGrouped(t *testing.T) {
	var e fieldErrors
	e.add("password", "a")
	e.add("username", "b")
	e.add("password", "c")
	if got, want := string(e.json()), `{"password":["a","c"],"username":["b"]}`; got != want {
		t.Errorf("json = %s, want %s", got, want)
	}
}
