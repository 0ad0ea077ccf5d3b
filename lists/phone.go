package lists

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"google.golang.org/protobuf/proto"
)

// Normalise turns a phone number written in any usual way into E.164 ("+14155550100"):
// spaces, dashes, dots, slashes and brackets are dropped, a leading "00" counts as "+",
// and digits without "+" are read as country code and number. The number must be
// valid for its country by libphonenumber's metadata. suggestRegion, when set (e.g.
// "US"), is used only to propose a fix for numbers written without a country code.
func Normalise(raw, suggestRegion string) (string, error) {
	return newNumberChecker(suggestRegion).normalise(raw)
}

// numberChecker normalises many numbers. With fast set (newFastNumberChecker) it
// decides the validity of numbers written in E.164 with validity, which takes the
// library's own steps on its own metadata and patterns with faster matching, so the
// results equal Normalise's (TestFastCheckerMatchesLibrary checks this). Not safe for
// concurrent use: one per goroutine.
type numberChecker struct {
	suggestRegion string
	fast          *validity
}

func newNumberChecker(suggestRegion string) *numberChecker {
	return &numberChecker{suggestRegion: suggestRegion}
}

// newFastNumberChecker returns a checker for bulk work: its matchers are built on
// first use (a few milliseconds per country), so it pays off after a few hundred
// numbers.
func newFastNumberChecker(suggestRegion string) *numberChecker {
	c := newNumberChecker(suggestRegion)
	if v, err := newValidity(); err == nil {
		c.fast = v
	}
	return c
}

func (c *numberChecker) normalise(raw string) (string, error) {
	s, err := clean(raw)
	if err != nil {
		return "", err
	}
	num, ok := parseE164(s)
	if ok {
		valid, decided := false, false
		if c.fast != nil {
			valid, decided = c.fast.isValid(num)
		}
		if !decided {
			valid = phonenumbers.IsValidNumber(num)
		}
		if valid {
			return s, nil
		}
	}
	suggestRegion := c.suggestRegion
	// The general parser also drops a national trunk prefix written after the country
	// code ("+61 03 ..." is +613...).
	if n, err := phonenumbers.Parse(s, "ZZ"); err == nil && phonenumbers.IsValidNumber(n) {
		return phonenumbers.Format(n, phonenumbers.E164), nil
	}
	fix := "write it as + country code and number, for example +14155550100"
	if suggestRegion != "" {
		if n, err := phonenumbers.Parse(raw, suggestRegion); err == nil && phonenumbers.IsValidNumber(n) {
			fix = "write it as " + phonenumbers.Format(n, phonenumbers.E164)
		}
	}
	international := strings.HasPrefix(strings.TrimSpace(raw), "+") || strings.HasPrefix(strings.TrimSpace(raw), "00")
	if international && ok && !phonenumbers.IsPossibleNumber(num) {
		return "", fmt.Errorf("%w: %q has the wrong length for country code +%d; %s", ErrNotE164, raw, num.GetCountryCode(), fix)
	}
	return "", fmt.Errorf("%w: %q is not E.164; %s", ErrNotE164, raw, fix)
}

// clean strips formatting and returns "+digits", or an error naming what is wrong.
func clean(raw string) (string, error) {
	var b strings.Builder
	b.Grow(len(raw) + 1)
	plus := false
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '\u00a0' || r == '\t':
		default:
			return "", fmt.Errorf("%w: %q contains %q; use digits only, with a leading +", ErrNotE164, raw, r)
		}
	}
	d := b.String()
	if !plus && strings.HasPrefix(d, "00") {
		d = d[2:]
	}
	if d == "" {
		return "", fmt.Errorf("%w: %q has no digits; write it as + country code and number, for example +14155550100", ErrNotE164, raw)
	}
	if len(d) > 15 {
		return "", fmt.Errorf("%w: %q has %d digits; E.164 numbers have at most 15", ErrNotE164, raw, len(d))
	}
	return "+" + d, nil
}

// parseE164 builds libphonenumber's number from "+digits" without its general parser
// (which is several times slower): the country code is the 1-3 digit prefix that names
// a known country, as in E.164.
func parseE164(s string) (*phonenumbers.PhoneNumber, bool) {
	d := s[1:]
	for l := 1; l <= 3 && l < len(d); l++ {
		cc, _ := strconv.Atoi(d[:l])
		if phonenumbers.GetRegionCodeForCountryCode(cc) == phonenumbers.UNKNOWN_REGION {
			continue
		}
		nsn := d[l:]
		national, err := strconv.ParseUint(nsn, 10, 64)
		if err != nil || len(nsn) < 2 {
			return nil, false
		}
		n := &phonenumbers.PhoneNumber{CountryCode: proto.Int32(int32(cc)), NationalNumber: proto.Uint64(national)}
		if zeros := len(nsn) - len(strings.TrimLeft(nsn, "0")); zeros > 0 {
			n.ItalianLeadingZero = proto.Bool(true)
			if zeros > 1 {
				n.NumberOfLeadingZeros = proto.Int32(int32(zeros))
			}
		}
		return n, true
	}
	return nil, false
}

// numberKey packs an E.164 number into an integer for sets (at most 15 digits fit).
func numberKey(e164 string) uint64 {
	k, _ := strconv.ParseUint(strings.TrimPrefix(e164, "+"), 10, 64)
	return k
}
