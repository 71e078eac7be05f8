package main

import "testing"

func TestPasswordHash(t *testing.T) {
	h, err := hashPassword("123")
	if err != nil {
		t.Fatal(err)
	}
	if !checkPassword(h, "123") || checkPassword(h, "124") || checkPassword("$argon2id$junk", "123") {
		t.Fatal("password check is wrong")
	}
	h2, _ := hashPassword("123")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	h, _ := hashPassword("123")
	for b.Loop() {
		checkPassword(h, "123")
	}
}
