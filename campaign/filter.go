package campaign

import (
	"strconv"
	"strings"

	"github.com/outdial/outdial/store"
)

// column returns a contact's value for a filter field: the mapped columns by name,
// else the unmapped field by its header (exact, then case-insensitive).
func column(c store.Contact, field string) string {
	switch field {
	case "first_name", "firstName":
		return c.FirstName
	case "last_name", "lastName":
		return c.LastName
	case "phone", "phoneNumber":
		if len(c.Phones) > 0 {
			return c.Phones[0]
		}
		return ""
	case "priority":
		return strconv.Itoa(c.Priority)
	case "time_zone", "timezone":
		return c.TimeZone
	}
	if v, ok := c.Fields[field]; ok {
		return v
	}
	for k, v := range c.Fields {
		if strings.EqualFold(k, field) {
			return v
		}
	}
	return ""
}

// Match reports whether a condition holds for a contact. Text comparisons ignore case;
// gt and lt compare numbers and fail on a value that is not one.
func (cd Condition) Match(c store.Contact) bool {
	v := strings.TrimSpace(column(c, cd.Field))
	lv, lw := strings.ToLower(v), strings.ToLower(cd.Value)
	switch cd.Op {
	case "eq":
		return lv == lw
	case "ne":
		return lv != lw
	case "contains":
		return strings.Contains(lv, lw)
	case "not_contains":
		return !strings.Contains(lv, lw)
	case "starts_with":
		return strings.HasPrefix(lv, lw)
	case "ends_with":
		return strings.HasSuffix(lv, lw)
	case "empty":
		return v == ""
	case "not_empty":
		return v != ""
	case "in":
		for _, x := range cd.Values {
			if strings.EqualFold(v, x) {
				return true
			}
		}
		return false
	case "gt", "lt":
		a, err1 := strconv.ParseFloat(v, 64)
		b, err2 := strconv.ParseFloat(cd.Value, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if cd.Op == "gt" {
			return a > b
		}
		return a < b
	}
	return false
}

// Selects reports whether the Choose Contact filters keep a contact.
func (ch Choose) Selects(c store.Contact) bool {
	if len(ch.Filters) == 0 {
		return true
	}
	any := ch.Match == "any"
	for _, f := range ch.Filters {
		ok := f.Match(c)
		if any && ok {
			return true
		}
		if !any && !ok {
			return false
		}
	}
	return !any
}

// OrderPhones returns a contact's numbers in the campaign's dialing order; positions
// the contact lacks are skipped, and numbers the order omits are not dialed.
func OrderPhones(phones []string, order []int) []string {
	if len(order) == 0 {
		return append([]string(nil), phones...)
	}
	var out []string
	seen := map[string]bool{}
	for _, i := range order {
		if i >= 0 && i < len(phones) && !seen[phones[i]] {
			seen[phones[i]] = true
			out = append(out, phones[i])
		}
	}
	return out
}
