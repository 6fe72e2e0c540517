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
	// bcrypt only uses the first 72 bytes of its input.
	bcryptMaxBytes = 72
)

// passwordSpec holds the inputs of RandomPassword after defaults.
type passwordSpec struct {
	Length                                     int
	Special, Upper, Lower, Numeric             bool
	MinLower, MinUpper, MinNumeric, MinSpecial int
	OverrideSpecial                            string // "" selects defaultSpecial, as in Terraform
}

func (s passwordSpec) specialChars() string {
	if s.OverrideSpecial != "" {
		return s.OverrideSpecial
	}
	return defaultSpecial
}

// charset is the set the characters beyond the minimum counts are drawn from.
func (s passwordSpec) charset() string {
	all := ""
	if s.Upper {
		all += upperChars
	}
	if s.Lower {
		all += lowerChars
	}
	if s.Numeric {
		all += numericChars
	}
	if s.Special {
		all += s.specialChars()
	}
	return all
}

func (s passwordSpec) minSum() int { return s.MinLower + s.MinUpper + s.MinNumeric + s.MinSpecial }

// problem is one invalid input: the property it concerns and why.
type problem struct{ Property, Reason string }

// validate returns every problem of the spec (the Terraform validators plus the cases
// in which Terraform would fail at apply time).
func (s passwordSpec) validate() []problem {
	var out []problem
	if s.Length < 1 {
		out = append(out, problem{"length", fmt.Sprintf("length must be at least 1, got %d", s.Length)})
	}
	for _, m := range []struct {
		name string
		v    int
	}{{"minLower", s.MinLower}, {"minUpper", s.MinUpper}, {"minNumeric", s.MinNumeric}, {"minSpecial", s.MinSpecial}} {
		if m.v < 0 {
			out = append(out, problem{m.name, fmt.Sprintf("%s must not be negative, got %d", m.name, m.v)})
		}
	}
	if sum := s.minSum(); sum > s.Length {
		out = append(out, problem{"length", fmt.Sprintf(
			"length (%d) must be at least minUpper + minLower + minNumeric + minSpecial (%d)", s.Length, sum)})
	}
	if s.Length > s.minSum() && s.charset() == "" {
		out = append(out, problem{"length", "no characters to choose from: at least one of special, upper, lower or numeric must be true"})
	}
	return out
}

// generatePassword follows the Terraform provider: each minimum count is drawn from its class
// (whether or not the class is enabled), the rest from the enabled classes, then the result
// is shuffled. Every draw uses crypto/rand.
func generatePassword(s passwordSpec) (string, error) {
	if problems := s.validate(); len(problems) > 0 {
		return "", fmt.Errorf("invalid RandomPassword: %s", problems[0].Reason)
	}
	out := make([]byte, 0, s.Length)
	for _, c := range []struct {
		chars string
		n     int
	}{{numericChars, s.MinNumeric}, {lowerChars, s.MinLower}, {upperChars, s.MinUpper}, {s.specialChars(), s.MinSpecial}} {
		b, err := draw(c.chars, c.n)
		if err != nil {
			return "", err
		}
		out = append(out, b...)
	}
	rest, err := draw(s.charset(), s.Length-len(out))
	if err != nil {
		return "", err
	}
	out = append(out, rest...)
	// Fisher-Yates shuffle so the minimum-count characters are not grouped at the front.
	for i := len(out) - 1; i > 0; i-- {
		j, err := randInt(i + 1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

// draw returns n characters chosen uniformly from chars.
func draw(chars string, n int) ([]byte, error) {
	out := make([]byte, n)
	for i := range out {
		j, err := randInt(len(chars))
		if err != nil {
			return nil, err
		}
		out[i] = chars[j]
	}
	return out, nil
}

func randInt(n int) (int, error) {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, err
	}
	return int(v.Int64()), nil
}

// bcryptHash hashes the first 72 bytes of password (all that bcrypt uses, as documented by
// the official provider) with the default cost.
func bcryptHash(password string) (string, error) {
	b := []byte(password)
	if len(b) > bcryptMaxBytes {
		b = b[:bcryptMaxBytes]
	}
	h, err := bcrypt.GenerateFromPassword(b, bcrypt.DefaultCost)
	return string(h), err
}

// generateBytes returns length random bytes as base64 (standard, padded) and hex.
func generateBytes(length int) (b64, hx string, err error) {
	if length < 1 {
		return "", "", fmt.Errorf("length must be at least 1, got %d", length)
	}
	buf := make([]byte, length)
	if _, err := rand.Read(buf); err != nil {
		return "", "", err
	}
	return base64.StdEncoding.EncodeToString(buf), hex.EncodeToString(buf), nil
}
