package sip

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Transport is the SIP transport used to reach a trunk.
type Transport string

// Transports a trunk can use.
const (
	TransportUDP Transport = "udp"
	TransportTCP Transport = "tcp"
	TransportTLS Transport = "tls"
)

// Trunk is one SIP trunk: where calls go, how we authenticate, what we present as the
// caller and how hard we may push it. The zero value is not usable; call Validate.
type Trunk struct {
	// Name identifies the trunk in DialRequest, logs and metric labels.
	Name string `json:"name" yaml:"name"`
	// Address is host:port of the trunk's SIP signalling (an IP address or a DNS name).
	Address string `json:"address" yaml:"address"`
	// Transport is udp (default), tcp or tls.
	Transport Transport `json:"transport,omitempty" yaml:"transport,omitempty"`
	// Username and Password answer digest challenges (401/407). Both or neither.
	Username string `json:"username,omitempty" yaml:"username,omitempty"`
	Password string `json:"password,omitempty" yaml:"password,omitempty"`
	// FromDomain is the host part of From and P-Asserted-Identity; default: the host of Address.
	FromDomain string `json:"from_domain,omitempty" yaml:"from_domain,omitempty"`
	// CallerID is the default user part of From and P-Asserted-Identity (E.164 like +15551234567).
	CallerID string `json:"caller_id,omitempty" yaml:"caller_id,omitempty"`
	// MaxChannels caps concurrent calls on this trunk; 0 means no cap.
	MaxChannels int `json:"max_channels,omitempty" yaml:"max_channels,omitempty"`
	// MaxCPS caps new calls per second on this trunk; 0 means no cap.
	MaxCPS float64 `json:"max_cps,omitempty" yaml:"max_cps,omitempty"`
	// Codecs lists the audio codecs offered, in order of preference: PCMU, PCMA. Default both, PCMU first.
	Codecs []string `json:"codecs,omitempty" yaml:"codecs,omitempty"`
	// Allow lists extra source addresses (IPs or CIDR prefixes) accepted as this trunk by
	// the inbound ACL, beside the address Address resolves to.
	Allow []string `json:"allow,omitempty" yaml:"allow,omitempty"`
}

// Validate reports every problem in t at once, each naming the field, the value and
// the fix. The error wraps ErrInvalidTrunk.
func (t Trunk) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w %q: field %s: %s", ErrInvalidTrunk, t.Name, field, fmt.Sprintf(format, args...)))
	}
	if t.Name == "" {
		bad("name", "is empty; give the trunk a short name such as \"carrier-a\"")
	} else if !isToken(t.Name, "-_.") {
		bad("name", "%q may only hold letters, digits, '-', '_' and '.'", t.Name)
	}
	if host, port, err := net.SplitHostPort(t.Address); err != nil || host == "" {
		bad("address", "%q is not host:port; write it as 203.0.113.7:5060 or sip.example.net:5060", t.Address)
	} else if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		bad("address", "port %q is not 1-65535", port)
	} else if !isToken(host, "-.:_") {
		bad("address", "host %q holds characters a host name cannot have", host)
	}
	switch t.Transport {
	case "", TransportUDP, TransportTCP, TransportTLS:
	default:
		bad("transport", "%q is not one of udp, tcp, tls", t.Transport)
	}
	if (t.Username == "") != (t.Password == "") {
		bad("username/password", "set both for digest authentication, or neither")
	}
	if strings.ContainsAny(t.Username, "\r\n\"") {
		bad("username", "may not contain quotes or line breaks")
	}
	if t.FromDomain != "" && !isToken(t.FromDomain, "-._") {
		bad("from_domain", "%q is not a host name", t.FromDomain)
	}
	if t.CallerID != "" && !isUserPart(t.CallerID) {
		bad("caller_id", "%q is not a SIP user part; write it as +15551234567", t.CallerID)
	}
	if t.MaxChannels < 0 {
		bad("max_channels", "%d is negative; use 0 for no cap", t.MaxChannels)
	}
	if t.MaxCPS < 0 {
		bad("max_cps", "%g is negative; use 0 for no cap", t.MaxCPS)
	}
	seen := map[string]bool{}
	for _, c := range t.Codecs {
		if _, ok := codecByName(c); !ok {
			bad("codecs", "%q is not supported; use PCMU and/or PCMA", c)
		} else if seen[strings.ToUpper(c)] {
			bad("codecs", "%q is listed twice", c)
		}
		seen[strings.ToUpper(c)] = true
	}
	for _, a := range t.Allow {
		if _, err := parsePrefix(a); err != nil {
			bad("allow", "%q is not an IP address or CIDR prefix such as 203.0.113.0/24", a)
		}
	}
	return errors.Join(errs...)
}

// transport returns the trunk's transport with the default applied.
func (t Trunk) transport() Transport {
	if t.Transport == "" {
		return TransportUDP
	}
	return t.Transport
}

// host returns the host part of Address.
func (t Trunk) host() string {
	h, _, _ := net.SplitHostPort(t.Address)
	return h
}

// port returns the port of Address.
func (t Trunk) port() int {
	_, p, _ := net.SplitHostPort(t.Address)
	n, _ := strconv.Atoi(p)
	return n
}

// fromDomain returns FromDomain or the trunk host.
func (t Trunk) fromDomain() string {
	if t.FromDomain != "" {
		return t.FromDomain
	}
	return t.host()
}

// codecs returns the offered codecs in preference order.
func (t Trunk) codecs() []Codec {
	if len(t.Codecs) == 0 {
		return []Codec{PCMU, PCMA}
	}
	out := make([]Codec, 0, len(t.Codecs))
	for _, n := range t.Codecs {
		if c, ok := codecByName(n); ok {
			out = append(out, c)
		}
	}
	return out
}

// ParseTrunkURI builds a trunk from a URI such as sip:203.0.113.7:5060 or
// sip:host:5070;transport=tcp, as given on the command line. The trunk is named name.
func ParseTrunkURI(name, uri string) (Trunk, error) {
	rest, ok := strings.CutPrefix(uri, "sip:")
	if !ok {
		return Trunk{}, fmt.Errorf("%w: %q does not start with sip:; write it as sip:203.0.113.7:5060", ErrInvalidTrunk, uri)
	}
	t := Trunk{Name: name}
	hostport, params, _ := strings.Cut(rest, ";")
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		hostport = net.JoinHostPort(hostport, "5060")
	}
	t.Address = hostport
	for _, p := range strings.Split(params, ";") {
		if v, ok := strings.CutPrefix(p, "transport="); ok {
			t.Transport = Transport(strings.ToLower(v))
		}
	}
	return t, t.Validate()
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// isToken reports whether s holds only ASCII letters, digits and the extra bytes.
func isToken(s, extra string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(extra, r):
		default:
			return false
		}
	}
	return true
}

// isUserPart reports whether s is safe as the user part of a SIP URI (a phone number or
// a simple name): no spaces, quotes, '@', ';' or line breaks that could inject headers.
func isUserPart(s string) bool {
	return len(s) <= 64 && isToken(s, "+-_.*#!~")
}
