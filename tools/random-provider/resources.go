package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"

	"golang.org/x/crypto/bcrypt"
)

const (
	lowerChars   = "abcdefghijklmnopqrstuvwxyz"
	upperChars   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	numericChars = "0123456789"
	// Default special set of the Terraform random provider.
	defaultSpecial = "!@#$%&*()-_=+[]{}<>:?"
)

// passwordSpec holds the inputs of RandomPassword after defaults.
type passwordSpec struct {
	Length                                     int
	Special, Upper, Lower, Numeric             bool
	MinLower, MinUpper, MinNumeric, MinSpecial int
	OverrideSpecial                            string
	HasOverride                                bool
}

// validate returns every problem of the spec, one message each.
func (s passwordSpec) validate() []string {
	var problems []string
	if s.Length < 1 {
		problems = append(problems, "length must be at least 1")
	}
	for name, v := range map[string]int{"minLower": s.MinLower, "minUpper": s.MinUpper, "minNumeric": s.MinNumeric, "minSpecial": s.MinSpecial} {
		if v < 0 {
			problems = append(problems, name+" must not be negative")
		}
	}
	if s.MinLower+s.MinUpper+s.MinNumeric+s.MinSpecial > s.Length {
		problems = append(problems, "the sum of minLower, minUpper, minNumeric and minSpecial exceeds length")
	}
	if s.specialChars() == "" && !s.Upper && !s.Lower && !s.Numeric {
		problems = append(problems, "at least one of special, upper, lower or numeric must be true")
	}
	return problems
}

func (s passwordSpec) specialChars() string {
	if !s.Special {
		return ""
	}
	if s.HasOverride {
		return s.OverrideSpecial
	}
	return defaultSpecial
}

// generatePassword draws each character with crypto/rand, honouring the minimum counts.
func generatePassword(s passwordSpec) (string, error) {
	type class struct {
		chars string
		min   int
	}
	classes := []class{}
	all := ""
	if s.Lower {
		classes = append(classes, class{lowerChars, s.MinLower})
		all += lowerChars
	}
	if s.Upper {
		classes = append(classes, class{upperChars, s.MinUpper})
		all += upperChars
	}
	if s.Numeric {
		classes = append(classes, class{numericChars, s.MinNumeric})
		all += numericChars
	}
	if sp := s.specialChars(); sp != "" {
		classes = append(classes, class{sp, s.MinSpecial})
		all += sp
	}
	if all == "" {
		return "", fmt.Errorf("no characters to choose from")
	}
	out := make([]byte, 0, s.Length)
	for _, c := range classes {
		for i := 0; i < c.min; i++ {
			b, err := pick(c.chars)
			if err != nil {
				return "", err
			}
			out = append(out, b)
		}
	}
	for len(out) < s.Length {
		b, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, b)
	}
	// Shuffle so the minimum-count characters are not at the front (Fisher-Yates).
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", err
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func pick(chars string) (byte, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
	if err != nil {
		return 0, err
	}
	return chars[n.Int64()], nil
}

func bcryptHash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// generateBytes returns length random bytes as base64 and hex.
func generateBytes(length int) (b64, hx string, err error) {
	if length < 1 {
		return "", "", fmt.Errorf("length must be at least 1")
	}
	buf := make([]byte, length)
	if _, err := rand.Read(buf); err != nil {
		return "", "", err
	}
	return base64.StdEncoding.EncodeToString(buf), hex.EncodeToString(buf), nil
}
