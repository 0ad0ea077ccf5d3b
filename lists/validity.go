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
	types     map[*phonenumbers.PhoneMetadata]*regionTypes
	leading   map[*phonenumbers.PhoneMetadata]*digitMatcher
}

func newValidity() (*validity, error) {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil, err
	}
	v := &validity{geo: map[string]*phonenumbers.PhoneMetadata{}, nonGeo: map[int32]*phonenumbers.PhoneMetadata{},
		byPattern: map[string]*digitMatcher{}, types: map[*phonenumbers.PhoneMetadata]*regionTypes{}, leading: map[*phonenumbers.PhoneMetadata]*digitMatcher{}}
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
	foundByType := false // the region was chosen by typeKnown on this number
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
				region, foundByType = r, true
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
	if foundByType {
		return true, true // the same check on the same metadata already said so
	}
	return v.typeKnown(nsn, md)
}

// typeKnown reports whether the library's getNumberTypeHelper finds a type other than
// UNKNOWN.
func (v *validity) typeKnown(nsn string, md *phonenumbers.PhoneMetadata) (known, decided bool) {
	rt := v.types[md]
	if rt == nil {
		if rt = v.resolve(md); rt == nil {
			return false, false
		}
		v.types[md] = rt
	}
	if !rt.general.matches(nsn) {
		return false, true
	}
	for i := range rt.types {
		if rt.types[i].matches(nsn) {
			return true, true
		}
	}
	return false, true
}

// regionTypes are a region's number descriptions in the order getNumberTypeHelper
// tries them: premium rate, toll free, shared cost, VoIP, personal number, pager, UAN,
// voicemail, fixed line, then mobile unless its pattern is the fixed line's.
type regionTypes struct {
	general descMatcher
	types   []descMatcher
}

// descMatcher is the library's isNumberMatchingDesc for one description: one of the
// possible lengths (when listed) and a full match of the national number pattern.
type descMatcher struct {
	lengths []int32
	m       *digitMatcher
}

func (d *descMatcher) matches(nsn string) bool {
	if len(d.lengths) > 0 {
		found := false
		for _, l := range d.lengths {
			if int32(len(nsn)) == l {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return d.m.match(nsn)
}

// resolve builds a region's matchers; nil when a description is missing (the library
// would fail on it, so the caller leaves the decision to it).
func (v *validity) resolve(md *phonenumbers.PhoneMetadata) *regionTypes {
	desc := func(d *phonenumbers.PhoneNumberDesc) (descMatcher, bool) {
		if d == nil {
			return descMatcher{}, false
		}
		// As the library writes it: a full match.
		m := v.matcher("^(?:" + d.GetNationalNumberPattern() + ")$")
		return descMatcher{lengths: d.PossibleLength, m: m}, m != nil
	}
	rt := &regionTypes{}
	var ok bool
	if rt.general, ok = desc(md.GetGeneralDesc()); !ok {
		return nil
	}
	ds := []*phonenumbers.PhoneNumberDesc{md.GetPremiumRate(), md.GetTollFree(), md.GetSharedCost(), md.GetVoip(),
		md.GetPersonalNumber(), md.GetPager(), md.GetUan(), md.GetVoicemail(), md.GetFixedLine()}
	if !md.GetSameMobileAndFixedLinePattern() {
		ds = append(ds, md.GetMobile())
	}
	for _, d := range ds {
		dm, ok := desc(d)
		if !ok {
			return nil
		}
		rt.types = append(rt.types, dm)
	}
	return rt
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
