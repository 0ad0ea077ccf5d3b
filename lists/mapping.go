package lists

import (
	"fmt"
	"sort"
	"strings"
)

// Mapping names the columns (CSV headers, or dot paths of API records) that carry the
// known fields. Every other column is kept as a custom field of the contact.
type Mapping struct {
	// Phones are the phone columns in dialing order; the first is required.
	Phones    []string `json:"phones,omitempty"`
	FirstName string   `json:"first_name,omitempty"`
	LastName  string   `json:"last_name,omitempty"`
	// TimeZone holds IANA names such as America/Phoenix.
	TimeZone string `json:"time_zone,omitempty"`
	// Priority is the customer priority, an integer 0-100 (higher is called first).
	Priority string `json:"priority,omitempty"`
	// Agent holds an agent id or an agent's email.
	Agent string `json:"agent,omitempty"`
	// Expires (DNC lists) holds the date or time an entry stops blocking.
	Expires string `json:"expires,omitempty"`
}

// Field names accepted by Mapping.Set.
var mappingFields = []string{"phone", "first_name", "last_name", "time_zone", "priority", "agent", "expires"}

// IsZero reports whether nothing is mapped.
func (m Mapping) IsZero() bool {
	return len(m.Phones) == 0 && m.FirstName == "" && m.LastName == "" && m.TimeZone == "" && m.Priority == "" && m.Agent == "" && m.Expires == ""
}

// Set maps column to field (one of phone, first_name, last_name, time_zone, priority,
// agent, expires). Mapping phone several times adds numbers in dialing order.
func (m *Mapping) Set(column, field string) error {
	column = strings.TrimSpace(column)
	if column == "" {
		return fmt.Errorf("%w: mapping: the column name is empty; write header=field", ErrInvalid)
	}
	switch strings.ToLower(strings.TrimSpace(field)) {
	case "phone", "phone_number", "number":
		m.Phones = append(m.Phones, column)
	case "first_name":
		m.FirstName = column
	case "last_name":
		m.LastName = column
	case "time_zone", "timezone", "tz":
		m.TimeZone = column
	case "priority", "customer_priority":
		m.Priority = column
	case "agent", "agent_id", "agent_email":
		m.Agent = column
	case "expires", "expires_at":
		m.Expires = column
	default:
		return fmt.Errorf("%w: mapping %s=%s: %q is not a field; use one of %s", ErrInvalid, column, field, field, strings.Join(mappingFields, ", "))
	}
	return nil
}

// headerKey folds a header for automatic mapping: "First Name", "first_name" and
// "firstName" all give "firstname".
func headerKey(h string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '.':
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(h)))
}

var autoFields = map[string]string{
	"phone": "phone", "phonenumber": "phone", "number": "phone", "mobile": "phone", "mobilenumber": "phone",
	"cell": "phone", "cellphone": "phone", "telephone": "phone", "tel": "phone", "msisdn": "phone",
	"phone1": "phone", "phone2": "phone", "phone3": "phone", "altphone": "phone", "alternatephone": "phone",
	"homephone": "phone", "workphone": "phone",
	"firstname": "first_name", "givenname": "first_name", "first": "first_name",
	"lastname": "last_name", "surname": "last_name", "familyname": "last_name", "last": "last_name",
	"timezone": "time_zone", "tz": "time_zone",
	"priority": "priority", "customerpriority": "priority",
	"agent": "agent", "agentid": "agent", "agentemail": "agent",
	"expires": "expires", "expiresat": "expires", "expiry": "expires", "expirydate": "expires",
}

// AutoMapping maps the headers it recognises (phone, phone_number, mobile, first_name,
// "Last Name", timezone, priority, agent_id, expires_at...). Phone columns keep the
// file's order.
func AutoMapping(header []string) Mapping {
	var m Mapping
	for _, h := range header {
		if f, ok := autoFields[headerKey(h)]; ok {
			if f != "phone" && m.get(f) != "" {
				continue
			}
			m.Set(h, f)
		}
	}
	return m
}

func (m Mapping) get(field string) string {
	switch field {
	case "first_name":
		return m.FirstName
	case "last_name":
		return m.LastName
	case "time_zone":
		return m.TimeZone
	case "priority":
		return m.Priority
	case "agent":
		return m.Agent
	case "expires":
		return m.Expires
	}
	return ""
}

// columns is a Mapping resolved against a header: column indexes, -1 when unmapped.
type columns struct {
	phones                                    []int
	first, last, tz, priority, agent, expires int
	mapped                                    []bool
}

// resolve finds the mapped columns in header. Names match case-insensitively.
func (m Mapping) resolve(header []string) (columns, error) {
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(h)] = i
	}
	c := columns{first: -1, last: -1, tz: -1, priority: -1, agent: -1, expires: -1, mapped: make([]bool, len(header))}
	find := func(field, col string) (int, error) {
		if col == "" {
			return -1, nil
		}
		i, ok := idx[strings.ToLower(col)]
		if !ok {
			have := append([]string(nil), header...)
			sort.Strings(have)
			return -1, fmt.Errorf("%w: %s is mapped to column %q, which the file does not have; its columns are %s", ErrBadFile, field, col, strings.Join(quoteAll(have), ", "))
		}
		if c.mapped[i] {
			return -1, fmt.Errorf("%w: column %q is mapped twice; map each column to one field", ErrBadFile, col)
		}
		c.mapped[i] = true
		return i, nil
	}
	var err error
	for _, p := range m.Phones {
		i, e := find("phone", p)
		if e != nil {
			return c, e
		}
		c.phones = append(c.phones, i)
	}
	for _, f := range []struct {
		dst   *int
		field string
		col   string
	}{{&c.first, "first_name", m.FirstName}, {&c.last, "last_name", m.LastName}, {&c.tz, "time_zone", m.TimeZone},
		{&c.priority, "priority", m.Priority}, {&c.agent, "agent", m.Agent}, {&c.expires, "expires", m.Expires}} {
		if *f.dst, err = find(f.field, f.col); err != nil {
			return c, err
		}
	}
	if len(c.phones) == 0 {
		return c, fmt.Errorf("%w: no column is mapped to phone; name a column phone or map one (for example --map Mobile=phone); the file's columns are %s",
			ErrBadFile, strings.Join(quoteAll(header), ", "))
	}
	return c, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// withAuto completes an explicit mapping with the automatic one: fields the user did
// not map are taken from recognised headers, unless that column is already mapped.
func (m Mapping) withAuto(header []string) Mapping {
	auto := AutoMapping(header)
	used := map[string]bool{}
	for _, c := range append(append([]string(nil), m.Phones...), m.FirstName, m.LastName, m.TimeZone, m.Priority, m.Agent, m.Expires) {
		used[strings.ToLower(c)] = true
	}
	pick := func(mine, theirs string) string {
		if mine != "" || used[strings.ToLower(theirs)] {
			return mine
		}
		return theirs
	}
	out := m
	out.Phones = append([]string(nil), m.Phones...)
	if len(out.Phones) == 0 {
		for _, p := range auto.Phones {
			if !used[strings.ToLower(p)] {
				out.Phones = append(out.Phones, p)
			}
		}
	}
	out.FirstName = pick(m.FirstName, auto.FirstName)
	out.LastName = pick(m.LastName, auto.LastName)
	out.TimeZone = pick(m.TimeZone, auto.TimeZone)
	out.Priority = pick(m.Priority, auto.Priority)
	out.Agent = pick(m.Agent, auto.Agent)
	out.Expires = pick(m.Expires, auto.Expires)
	return out
}
