package lists

import (
	"github.com/nyaruka/phonenumbers"
)

// validity answers phonenumbers.IsValidNumber for many numbers faster. It takes the
// same steps on the same metadata (the library's embedded collection): find the
// region of the country code (by leading digits or by full validation when several
// regions share the code), then check the national significant number against the
// region's general pattern, its possible lengths and the patterns of the number
// types. Only the pattern matching differs: digitMatchers built from the very same
// regular expressions replace the regexp package, which is where the library spends
// its time (about 8 µs a number). When something is not as expected (metadata
// missing), it reports undecided and the caller asks the library.
//
// Not safe for concurrent use: one per numberChecker.
type validity struct {
	geo    map[string]*phonenumbers.PhoneMetadata
	nonGeo map[int32]*phonenumbers.PhoneMetadata
	// matchers by pattern text, and the same found by what they came from.
	byPattern map[string]*digitMatcher
	byDesc    map[*phonenumbers.PhoneNumberDesc]*digitMatcher
	leading   map[*phonenumbers.PhoneMetadata]*digitMatcher
}

func newValidity() (*validity, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, err
	}
	v := &validity{geo: map[string]*phonenumbers.PhoneMetadata{}, nonGeo: map[int32]*phonenumbers.PhoneMetadata{},
		byPattern: map[string]*digitMatcher{}, byDesc: map[*phonenumbers.PhoneNumberDesc]*digitMatcher{}, leading: map[*phonenumbers.PhoneMetadata]*digitMatcher{}}
	// The same mapping the library builds when it loads the collection.
	for _, md := range coll.GetMetadata() {
		if md.GetId() == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
			v.nonGeo[md.GetCountryCode()] = md
		} else {
			v.geo[md.GetId()] = md
		}
	}
	return v, nil
}

// isValid reports phonenumbers.IsValidNumber(num); decided is false when the caller
// must ask the library.
func (v *validity) isValid(num *phonenumbers.PhoneNumber) (valid, decided bool) {
	cc := num.GetCountryCode()
	regions := phonenumbers.GetRegionCodesForCountryCode(int(cc))
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	// GetRegionCodeForNumber.
	region := ""
	switch len(regions) {
	case 0:
		return false, true
	case 1:
		region = regions[0]
	default:
		for _, r := range regions {
			md := v.geo[r]
			if md == nil || r == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
				return false, false
			}
			if ld := md.GetLeadingDigits(); ld != "" {
				m := v.leading[md]
				if m == nil {
					// As the library writes it: a prefix match.
					if m = v.matcher("^(?:" + ld + ")"); m == nil {
						return false, false
					}
					v.leading[md] = m
				}
				if m.match(nsn) {
					region = r
					break
				}
				continue
			}
			known, decided := v.typeKnown(nsn, md)
			if !decided {
				return false, false
			}
			if known {
				region = r
				break
			}
		}
	}
	// IsValidNumberForRegion.
	var md *phonenumbers.PhoneMetadata
	if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY {
		md = v.nonGeo[cc]
	} else {
		md = v.geo[region]
	}
	if md == nil || (region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY && cc != md.GetCountryCode()) {
		return false, true
	}
	return v.typeKnown(nsn, md)
}

// typeKnown reports whether the library's getNumberTypeHelper finds a type other than
// UNKNOWN.
func (v *validity) typeKnown(nsn string, md *phonenumbers.PhoneMetadata) (known, decided bool) {
	ok, decided := v.descMatches(nsn, md.GetGeneralDesc())
	if !ok || !decided {
		return false, decided
	}
	for _, d := range []*phonenumbers.PhoneNumberDesc{md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(), md.GetVoip(),
		md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail(), md.GetFixedLine()} {
		if ok, decided := v.descMatches(nsn, d); !decided || ok {
			return ok, decided
		}
	}
	if md.GetSameMobileAndFixedLinePattern() {
		return false, true
	}
	return v.descMatches(nsn, md.GetMobile())
}

// descMatches is the library's isNumberMatchingDesc: one of the possible lengths (when
// listed) and a full match of the national number pattern.
func (v *validity) descMatches(nsn string, d *phonenumbers.PhoneNumberDesc) (ok, decided bool) {
	if d == nil {
		return false, false
	}
	if len(d.PossibleLength) > 0 {
		found := false
		for _, l := range d.PossibleLength {
			if int32(len(nsn)) == l {
				found = true
				break
			}
		}
		if !found {
			return false, true
		}
	}
	m := v.byDesc[d]
	if m == nil {
		// As the library writes it: a full match.
		if m = v.matcher("^(?:" + d.GetNationalNumberPattern() + ")$"); m == nil {
			return false, false
		}
		v.byDesc[d] = m
	}
	return m.match(nsn), true
}

// matcher returns the matcher of a pattern, or nil when the pattern does not compile
// (the library would panic; the caller leaves the decision to it).
func (v *validity) matcher(pattern string) *digitMatcher {
	if m, ok := v.byPattern[pattern]; ok {
		return m
	}
	m, err := newDigitMatcher(pattern)
	if err != nil {
		return nil
	}
	v.byPattern[pattern] = m
	return m
}
