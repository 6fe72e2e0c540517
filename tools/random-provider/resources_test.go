package main

import (
	"encoding/hex"
	"strings"
	"testing"
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

func TestPasswordHonoursLengthClassesAndMinimums(t *testing.T) {
	spec := passwordSpec{Length: 24, Upper: true, Lower: true, Numeric: true, MinUpper: 3, MinLower: 3, MinNumeric: 5}
	for i := 0; i < 200; i++ {
		pw, err := generatePassword(spec)
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 24 || count(pw, upperChars) < 3 || count(pw, lowerChars) < 3 || count(pw, numericChars) < 5 {
			t.Fatalf("constraints not met: %q", pw)
		}
		if count(pw, defaultSpecial) != 0 {
			t.Fatalf("special characters although special=false: %q", pw)
		}
	}
}

func TestPasswordUsesOverrideSpecial(t *testing.T) {
	spec := passwordSpec{Length: 40, Special: true, MinSpecial: 10, OverrideSpecial: "-_", HasOverride: true, Lower: true}
	pw, err := generatePassword(spec)
	if err != nil {
		t.Fatal(err)
	}
	if count(pw, "-_") < 10 || count(pw, "!@#$%&*()=+[]{}<>:?") != 0 {
		t.Fatalf("override special not honoured: %q", pw)
	}
}

func TestPasswordValidationReportsEveryProblem(t *testing.T) {
	problems := passwordSpec{Length: 2, MinLower: 2, MinUpper: 2}.validate()
	if len(problems) != 2 {
		t.Fatalf("want 2 problems (mins exceed length, no classes), got %v", problems)
	}
}

func TestPasswordsDiffer(t *testing.T) {
	spec := passwordSpec{Length: 32, Lower: true, Upper: true, Numeric: true}
	a, _ := generatePassword(spec)
	b, _ := generatePassword(spec)
	if a == b {
		t.Fatal("two passwords are equal")
	}
}

func TestBytesLengths(t *testing.T) {
	b64, hx, err := generateBytes(32)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := hex.DecodeString(hx)
	if err != nil || len(raw) != 32 || len(b64) != 44 {
		t.Fatalf("bad encodings: hex %d bytes, base64 %d chars", len(raw), len(b64))
	}
}
