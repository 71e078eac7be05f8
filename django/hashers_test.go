package jwtguarddjango_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jwtguard/jwtguard/django"
)

// Hashes written by Django 3.2's make_password (with argon2-cffi and
// bcrypt installed), for the passwords beside them.
var djangoHashes = []struct{ password, encoded string }{
	{"correct horse", "pbkdf2_sha256$260000$uZBL7xCEerpUCWmhHxfiSn$pmjHCpmQmk8d6ABWa0XGwauwya5NSwzp2TZ0ZMwRTik="},
	{strings.Repeat("ü", 40), "pbkdf2_sha256$260000$4s3Hmye5Ma4icfZnJxmjdJ$nSp1Sqvoac8Q7wIU6NZQ9FuhmEpshtQ+dW/HKI8KGr8="},
	{"correct horse", "pbkdf2_sha1$260000$UmCBLM5veHn6DntKAONfV1$79HhIccv8vyeYmLowVgpV73938c="},
	{"correct horse", "argon2$argon2id$v=19$m=102400,t=2,p=8$b2JRZ2N5ZzBDQWZGc3VveGVhOHpETg$h6Jf2AsvRvjxvSPRZgU1pA"},
	{strings.Repeat("ü", 40), "argon2$argon2id$v=19$m=102400,t=2,p=8$ZERrVHJRR0xGcm5ySWd4T0xBZDgxeg$yivl6bqZNCMQI1P/HpRbig"},
	{"s3cret", "argon2$argon2i$v=19$m=512,t=2,p=2$mi5+eF7vRMx7xmkBIaNGag$Zg/wUQnQPu/UUunIaLhxYg"},
	{"correct horse", "bcrypt_sha256$$2b$12$uaY2cB4C70c/DpVN3RpFQeXdz6mGAGG35OazHGHys0z3WOxFf0JHS"},
	// 80 bytes: bcrypt alone would look at the first 72 only.
	{strings.Repeat("ü", 40), "bcrypt_sha256$$2b$12$WCgGpFqMt8.o0kAvhZ3BqOFHnKSMaY9orKnTaRaOO/RI9haWy3E52"},
}

func TestVerifyPasswordDjangoHashes(t *testing.T) {
	for _, h := range djangoHashes {
		name, _, _ := strings.Cut(h.encoded, "$")
		t.Run(name, func(t *testing.T) {
			ok, err := jwtguarddjango.VerifyPassword(h.password, h.encoded)
			if err != nil || !ok {
				t.Fatalf("right password: %v, %v; want a match", ok, err)
			}
			for _, wrong := range []string{h.password + "x", h.password[:len(h.password)-1]} {
				if ok, err := jwtguarddjango.VerifyPassword(wrong, h.encoded); ok || err != nil {
					t.Fatalf("wrong password %q: %v, %v; want no match and no error", wrong, ok, err)
				}
			}
		})
	}
}

// Hashers not verified here, and hashes with impossible or abusive
// parameters, are refused with ErrUnsupportedHasher; an unusable password
// or a value that is no Django hash matches nothing.
func TestVerifyPasswordRefuses(t *testing.T) {
	unsupported := []string{
		"bcrypt$$2b$12$Ne/JypCY4xOpC3dnwdcKDuy3yQEJLB6DEb6FZmfM.kGU5cwpTXUq.",
		"md5$ExMZ7F5b4Pjdzct4fGRzl2$4d2eb442e71cfe889ce789c3a67cfd36",
		"scrypt$16384$salt$8$1$aGFzaA==",
		"argon2$argon2d$v=19$m=512,t=2,p=2$mi5+eF7vRMx7xmkBIaNGag$Zg/wUQnQPu/UUunIaLhxYg",
		"argon2$argon2i$m=512,t=2,p=2$mi5+eF7vRMx7xmkBIaNGag$Zg/wUQnQPu/UUunIaLhxYg", // before v=19
		"argon2$argon2id$v=19$m=99999999,t=2,p=2$mi5+eF7vRMx7xmkBIaNGag$Zg/wUQnQPu/UUunIaLhxYg",
		"argon2$argon2id$v=19$m=512,t=2,p=0$mi5+eF7vRMx7xmkBIaNGag$Zg/wUQnQPu/UUunIaLhxYg",
		"pbkdf2_sha256$999999999$salt$aGFzaA==",
		"pbkdf2_sha256$-1$salt$aGFzaA==",
		"pbkdf2_sha256$260000$salt",
		"pbkdf2_sha256$260000$salt$not base64!",
		"bcrypt_sha256$$2b$31$uaY2cB4C70c/DpVN3RpFQeXdz6mGAGG35OazHGHys0z3WOxFf0JHS",
		"bcrypt_sha256$garbage",
	}
	for _, encoded := range unsupported {
		ok, err := jwtguarddjango.VerifyPassword("correct horse", encoded)
		if ok || !errors.Is(err, jwtguarddjango.ErrUnsupportedHasher) {
			t.Errorf("%s: %v, %v; want ErrUnsupportedHasher", encoded, ok, err)
		}
	}
	for _, encoded := range []string{"", "!wEdcN6SvZSB5R6d833VcObOjKjjnQP0LxvDY6hHq", "correct horse", "!pbkdf2_sha256$260000$uZBL7xCEerpUCWmhHxfiSn$pmjHCpmQmk8d6ABWa0XGwauwya5NSwzp2TZ0ZMwRTik="} {
		if ok, err := jwtguarddjango.VerifyPassword("correct horse", encoded); ok || err != nil {
			t.Errorf("%q: %v, %v; want no match and no error", encoded, ok, err)
		}
	}
}
