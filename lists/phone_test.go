package lists

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

func TestNormalise(t *testing.T) {
	tests := []struct {
		in, want string
		errHas   string
	}{
		{"+14155550100", "+14155550100", ""},
		{" +1 (415) 555-0100 ", "+14155550100", ""},
		{"14155550100", "+14155550100", ""},
		{"0014155550100", "+14155550100", ""},
		{"+44 20 7946 0000", "+442079460000", ""},
		{"+39 06 6982 1234", "+390669821234", ""}, // Italian leading zero kept
		{"+1.415.555.0100", "+14155550100", ""},
		{"5551234", "", "is not E.164; write it as +"},
		{"(415) 555-0100", "", "write it as +14155550100"},
		{"+15551234567", "", "is not E.164"},
		{"+1555123", "", "wrong length for country code +1"},
		{"+61 03 9747 0889", "+61397470889", ""},
		{"415-555-0100 ext 2", "", `contains 'e'`},
		{"", "", "has no digits"},
		{"+", "", "has no digits"},
		{"1234567890123456", "", "has 16 digits"},
		{"+999123456789", "", "is not E.164"},
		{"+1 415 555 01OO", "", `contains 'O'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Normalise(tt.in, "US")
			if tt.errHas == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Normalise(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrNotE164) || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("Normalise(%q) = %q, %v; want an error containing %q", tt.in, got, err, tt.errHas)
			}
		})
	}
}

// The fast E.164 path must agree with libphonenumber's own parser on validity.
func TestParseE164MatchesLibrary(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	ccs := []int{1, 7, 20, 33, 39, 44, 49, 52, 55, 61, 81, 86, 91, 234, 353, 380, 971, 972}
	for i := 0; i < 3000; i++ {
		cc := ccs[r.IntN(len(ccs))]
		n := 6 + r.IntN(8)
		d := make([]byte, n)
		for j := range d {
			d[j] = byte('0' + r.IntN(10))
		}
		s := "+" + strconv.Itoa(cc) + string(d)
		lib, err := phonenumbers.Parse(s, "ZZ")
		libValid := err == nil && phonenumbers.IsValidNumber(lib)
		got, err := Normalise(s, "")
		if libValid != (err == nil) {
			t.Fatalf("%s: library valid=%v, Normalise error %v", s, libValid, err)
		}
		if libValid && phonenumbers.Format(lib, phonenumbers.E164) != got {
			t.Fatalf("%s: library formats %s, Normalise %s", s, phonenumbers.Format(lib, phonenumbers.E164), got)
		}
	}
}

func BenchmarkNormalise(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Normalise("+12122345678", ""); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNumberCheckerMatchesNormalise(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	c := newNumberChecker("US")
	for i := 0; i < 20000; i++ {
		s := "+1" + strconv.Itoa(2000000000+r.IntN(8000000000))
		if i%3 == 0 {
			s = "+44" + strconv.Itoa(1000000000+r.IntN(9000000000))
		}
		want, werr := Normalise(s, "US")
		got, gerr := c.normalise(s)
		if want != got || (werr == nil) != (gerr == nil) {
			t.Fatalf("%s: Normalise = %q, %v; checker = %q, %v", s, want, werr, got, gerr)
		}
	}
}

func BenchmarkNumberChecker(b *testing.B) {
	b.ReportAllocs()
	c := newNumberChecker("")
	r := rand.New(rand.NewPCG(5, 6))
	nums := make([]string, 4096)
	for i := range nums {
		nums[i] = "+1212" + strconv.Itoa(2000000+r.IntN(7999999))
	}
	for i := 0; i < b.N; i++ {
		c.normalise(nums[i%len(nums)])
	}
}
