package main

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func count(s, chars string) int {
	n := 0
	for _, c := range s {
		if strings.ContainsRune(chars, c) {
			n++
		}
	}
	return n
}

func mustPassword(t *testing.T, s passwordSpec) string {
	t.Helper()
	pw, err := generatePassword(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(pw) != s.Length {
		t.Fatalf("length %d, want %d: %q", len(pw), s.Length, pw)
	}
	return pw
}

func TestPasswordHonoursMinimumsAndClasses(t *testing.T) {
	spec := passwordSpec{Length: 24, Upper: true, Lower: true, Numeric: true, MinUpper: 3, MinLower: 3, MinNumeric: 5}
	for i := 0; i < 300; i++ {
		pw := mustPassword(t, spec)
		if count(pw, upperChars) < 3 || count(pw, lowerChars) < 3 || count(pw, numericChars) < 5 {
			t.Fatalf("minimums not met: %q", pw)
		}
		if count(pw, upperChars+lowerChars+numericChars) != len(pw) {
			t.Fatalf("characters outside the enabled classes although special=false: %q", pw)
		}
	}
}

func TestPasswordMinimumsEqualToLength(t *testing.T) {
	spec := passwordSpec{Length: 8, Special: true, Upper: true, Lower: true, Numeric: true, MinUpper: 2, MinLower: 2, MinNumeric: 2, MinSpecial: 2}
	for i := 0; i < 100; i++ {
		pw := mustPassword(t, spec)
		if count(pw, upperChars) != 2 || count(pw, lowerChars) != 2 || count(pw, numericChars) != 2 || count(pw, defaultSpecial) != 2 {
			t.Fatalf("want exactly 2 of each class: %q", pw)
		}
	}
}

func TestPasswordSingleClass(t *testing.T) {
	pw := mustPassword(t, passwordSpec{Length: 64, Upper: true})
	if count(pw, upperChars) != 64 {
		t.Fatalf("want only uppercase: %q", pw)
	}
}

func TestPasswordDefaultSpecialSet(t *testing.T) {
	pw := mustPassword(t, passwordSpec{Length: 64, Special: true, MinSpecial: 64})
	if count(pw, defaultSpecial) != 64 {
		t.Fatalf("want only default special characters: %q", pw)
	}
}

func TestPasswordOverrideSpecial(t *testing.T) {
	spec := passwordSpec{Length: 40, Special: true, Lower: true, MinSpecial: 10, OverrideSpecial: "-_"}
	for i := 0; i < 100; i++ {
		pw := mustPassword(t, spec)
		if count(pw, "-_") < 10 || count(pw, "!@#$%&*()=+[]{}<>:?") != 0 || count(pw, lowerChars+"-_") != len(pw) {
			t.Fatalf("overrideSpecial not honoured: %q", pw)
		}
	}
	// As in Terraform, an empty overrideSpecial selects the default set.
	pw := mustPassword(t, passwordSpec{Length: 30, Special: true, MinSpecial: 30, OverrideSpecial: ""})
	if count(pw, defaultSpecial) != 30 {
		t.Fatalf("empty overrideSpecial should use the default set: %q", pw)
	}
}

// Terraform draws the minimum counts from their class even when the class is disabled.
func TestPasswordMinimumOfDisabledClass(t *testing.T) {
	pw := mustPassword(t, passwordSpec{Length: 20, Lower: true, MinSpecial: 4})
	if count(pw, defaultSpecial) != 4 || count(pw, lowerChars) != 16 {
		t.Fatalf("want 4 special and 16 lowercase: %q", pw)
	}
}

func TestPasswordsDiffer(t *testing.T) {
	spec := passwordSpec{Length: 32, Lower: true, Upper: true, Numeric: true}
	if mustPassword(t, spec) == mustPassword(t, spec) {
		t.Fatal("two passwords are equal")
	}
}

func TestPasswordValidation(t *testing.T) {
	cases := []struct {
		name string
		spec passwordSpec
		want []string // reasons' substrings, in order
	}{
		{"valid", passwordSpec{Length: 4, Lower: true, MinLower: 4}, nil},
		{"zero length", passwordSpec{Length: 0, Lower: true}, []string{"at least 1"}},
		{"mins exceed length", passwordSpec{Length: 3, Lower: true, MinLower: 2, MinUpper: 2}, []string{"must be at least minUpper"}},
		{"negative min", passwordSpec{Length: 3, Lower: true, MinNumeric: -1}, []string{"minNumeric must not be negative"}},
		{"no classes", passwordSpec{Length: 3}, []string{"no characters to choose from"}},
		{"no classes but mins fill it", passwordSpec{Length: 3, MinNumeric: 3}, nil},
	}
	for _, c := range cases {
		got := c.spec.validate()
		if len(got) != len(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(got[i].Reason, w) {
				t.Errorf("%s: problem %d = %q, want it to contain %q", c.name, i, got[i].Reason, w)
			}
		}
		if len(c.want) > 0 {
			if _, err := generatePassword(c.spec); err == nil {
				t.Errorf("%s: generatePassword accepted an invalid spec", c.name)
			}
		}
	}
}

func TestBcryptHash(t *testing.T) {
	pw := mustPassword(t, passwordSpec{Length: 100, Lower: true, Upper: true})
	h, err := bcryptHash(pw)
	if err != nil {
		t.Fatal(err)
	}
	// Only the first 72 bytes are hashed (bcrypt's limit), as the official provider documents.
	if err := bcrypt.CompareHashAndPassword([]byte(h), []byte(pw[:72])); err != nil {
		t.Fatalf("hash does not match the first 72 bytes: %v", err)
	}
	short := "s3cret"
	h, err = bcryptHash(short)
	if err != nil || bcrypt.CompareHashAndPassword([]byte(h), []byte(short)) != nil {
		t.Fatalf("hash does not match: %v", err)
	}
}

func TestBytesLengths(t *testing.T) {
	for _, n := range []int{1, 16, 32, 64} {
		b64, hx, err := generateBytes(n)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := hex.DecodeString(hx)
		if err != nil || len(raw) != n || len(hx) != 2*n {
			t.Fatalf("n=%d: bad hex %q", n, hx)
		}
		dec, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || string(dec) != string(raw) {
			t.Fatalf("n=%d: base64 %q does not hold the same bytes as hex", n, b64)
		}
	}
	if _, _, err := generateBytes(0); err == nil {
		t.Fatal("length 0 accepted")
	}
}
