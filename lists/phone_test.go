package lists

import (
	"errors"
	"math/rand/v2"
	"regexp"
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
	c := newFastNumberChecker("US")
	for i := 0; i < 10000; i++ {
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

// The fast validity check must give libphonenumber's answer for every country code:
// example numbers of every region and type, each with every digit changed, numbers one
// digit shorter and longer, and random digits of every length.
func TestFastCheckerMatchesLibrary(t *testing.T) {
	fast, err := newValidity()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(7, 8))
	var samples []string
	add := func(n *phonenumbers.PhoneNumber) {
		if n == nil {
			return
		}
		e := phonenumbers.Format(n, phonenumbers.E164)
		samples = append(samples, e)
		cc := strconv.Itoa(int(n.GetCountryCode()))
		nsn := e[1+len(cc):]
		for i := 0; i < len(nsn); i++ {
			b := []byte(nsn)
			b[i] = byte('0' + (int(b[i]-'0')+1+r.IntN(9))%10)
			samples = append(samples, "+"+cc+string(b))
		}
		samples = append(samples, "+"+cc+nsn[:len(nsn)-1], "+"+cc+nsn+strconv.Itoa(r.IntN(10)))
	}
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE, phonenumbers.PREMIUM_RATE,
		phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER, phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	for region := range phonenumbers.GetSupportedRegions() {
		for _, typ := range types {
			add(phonenumbers.GetExampleNumberForType(region, typ))
		}
	}
	for cc := range phonenumbers.GetSupportedGlobalNetworkCallingCodes() {
		add(phonenumbers.GetExampleNumberForNonGeoEntity(cc))
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		for l := 2; l+len(strconv.Itoa(cc)) <= 15; l++ {
			for k := 0; k < 3; k++ {
				d := make([]byte, l)
				for j := range d {
					d[j] = byte('0' + r.IntN(10))
				}
				samples = append(samples, "+"+strconv.Itoa(cc)+string(d))
			}
		}
	}
	valid := 0
	for _, s := range samples {
		num, ok := parseE164(s)
		if !ok {
			continue
		}
		want := phonenumbers.IsValidNumber(num)
		got, decided := fast.isValid(num)
		if !decided || got != want {
			t.Fatalf("%s: library valid=%v, fast valid=%v decided=%v", s, want, got, decided)
		}
		if want {
			valid++
		}
	}
	t.Logf("%d numbers agree, %d of them valid", len(samples), valid)
	if valid < 1000 || valid == len(samples) {
		t.Fatalf("the sample should hold both valid and invalid numbers: %d valid of %d", valid, len(samples))
	}
}

func TestDigitMatcher(t *testing.T) {
	tests := []struct {
		pattern string
		in      []string
	}{
		{`^(?:[2-9]\d{2}[2-9]\d{6})$`, []string{"2125550100", "1125550100", "212555010", "21255501000", ""}},
		{`^(?:1[0-8]|2[^0]|3)`, []string{"10", "19", "21", "20", "3", "34", "4", ""}},
		{`^(?:)$`, []string{"", "1"}},
		{`^(?:\d{2,4}|5{6})$`, []string{"1", "12", "1234", "12345", "555555", "5555555"}},
		{`7$`, []string{"7", "17", "71", ""}},
		{`\b1`, []string{"1", "21"}}, // word boundary: answered by the regexp
	}
	for _, tt := range tests {
		m, err := newDigitMatcher(tt.pattern)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(tt.pattern)
		for _, in := range tt.in {
			if got, want := m.match(in), re.MatchString(in); got != want {
				t.Errorf("%s on %q: matcher %v, regexp %v", tt.pattern, in, got, want)
			}
		}
	}
}

func BenchmarkFastNumberChecker(b *testing.B) {
	b.ReportAllocs()
	c := newFastNumberChecker("")
	r := rand.New(rand.NewPCG(5, 6))
	nums := make([]string, 4096)
	for i := range nums {
		nums[i] = "+1212" + strconv.Itoa(2000000+r.IntN(7999999))
	}
	for i := 0; i < b.N; i++ {
		c.normalise(nums[i%len(nums)])
	}
}
