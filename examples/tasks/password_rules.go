package main

import (
	"strings"
	"unicode/utf8"
)

// minPasswordLength is the shortest password registration accepts, as
// Django's default validators.
const minPasswordLength = 8

// Django's messages for the two rules.
const (
	msgPasswordShort  = "This password is too short. It must contain at least 8 characters."
	msgPasswordCommon = "This password is too common."
)

// commonPasswords are passwords of eight characters or more that lead
// every list of leaked passwords; shorter ones fail the length rule
// anyway. Compared lowercased and trimmed.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`
		password password1 password12 password123 passw0rd p@ssw0rd p@ssword
		12345678 123456789 1234567890 0987654321 87654321 11111111 00000000
		11223344 12341234 12121212 123123123 abc12345 abcd1234 a1b2c3d4
		qwertyui qwertyuiop qwerty12 qwerty123 1q2w3e4r 1qaz2wsx zaq12wsx
		asdfghjk asdfghjkl zxcvbnm1 iloveyou sunshine princess football
		baseball welcome1 welcome123 trustno1 superman starwars letmein1
		letmein123 computer whatever dragon12 monkey123 michael1 jennifer
		admin123 administrator changeme secret12 mustang1 shadow12 master12`) {
		commonPasswords[p] = true
	}
}

// passwordProblems returns the rules password breaks, in Django's order
// and words.
func passwordProblems(password string) []string {
	var out []string
	if utf8.RuneCountInString(password) < minPasswordLength {
		out = append(out, msgPasswordShort)
	}
	if commonPasswords[strings.ToLower(strings.TrimSpace(password))] {
		out = append(out, msgPasswordCommon)
	}
	return out
}
