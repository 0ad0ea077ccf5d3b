package sip

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

// Codec is an RTP audio payload format.
type Codec struct {
	Name        string `json:"name"`
	PayloadType uint8  `json:"pt"`
	ClockRate   int    `json:"rate"`
}

// Codecs we speak. PCMU and PCMA have static payload types; telephone-event (RFC 4733)
// is offered on 101.
var (
	PCMU           = Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000}
	PCMA           = Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000}
	TelephoneEvent = Codec{Name: "telephone-event", PayloadType: 101, ClockRate: 8000}
)

func codecByName(name string) (Codec, bool) {
	switch strings.ToUpper(name) {
	case "PCMU":
		return PCMU, true
	case "PCMA":
		return PCMA, true
	}
	return Codec{}, false
}

// Direction is an SDP media direction attribute.
type Direction string

// Media directions (RFC 3264).
const (
	SendRecv Direction = "sendrecv"
	SendOnly Direction = "sendonly"
	RecvOnly Direction = "recvonly"
	Inactive Direction = "inactive"
)

// reverse returns the direction the answerer uses for an offer with d.
func (d Direction) reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	case Inactive:
		return Inactive
	}
	return SendRecv
}

// Media is the audio stream of one SDP body: where RTP goes, which codecs in which
// order, the telephone-event payload type, and the direction.
type Media struct {
	// Addr is the RTP address. An unspecified IP (c=0.0.0.0) is the old way to put a call on hold.
	Addr netip.AddrPort `json:"addr"`
	// Codecs are the audio codecs in preference order (telephone-event excluded). In an
	// answer the first one is the codec in use.
	Codecs []Codec `json:"codecs"`
	// DTMF is the telephone-event payload type; valid when HasDTMF.
	DTMF    uint8 `json:"dtmf_pt,omitempty"`
	HasDTMF bool  `json:"has_dtmf"`
	// Direction defaults to sendrecv.
	Direction Direction `json:"direction"`
	// PTime is the packet time in milliseconds (0 = not stated, 20 assumed).
	PTime int `json:"ptime,omitempty"`
}

// Codec returns the first codec, the one in use after an answer.
func (m Media) Codec() Codec {
	if len(m.Codecs) == 0 {
		return Codec{}
	}
	return m.Codecs[0]
}

// OnHold reports whether the other side asks us not to send: sendonly or inactive from
// its point of view, or a 0.0.0.0 connection address.
func (m Media) OnHold() bool {
	return m.Direction == SendOnly || m.Direction == Inactive || (m.Addr.IsValid() && m.Addr.Addr().IsUnspecified())
}

// NewOffer returns our offer for an RTP address: the codecs in order, then telephone-event.
func NewOffer(addr netip.AddrPort, codecs []Codec) Media {
	return Media{Addr: addr, Codecs: codecs, DTMF: TelephoneEvent.PayloadType, HasDTMF: true, Direction: SendRecv, PTime: 20}
}

// Marshal writes m as an SDP body. sessionID identifies the session (o= line) and
// version must grow with every changed body in the same session.
func (m Media) Marshal(sessionID, version uint64) []byte {
	ip := m.Addr.Addr().Unmap()
	addrType := "IP4"
	if ip.Is6() {
		addrType = "IP6"
	}
	dir := m.Direction
	if dir == "" {
		dir = SendRecv
	}
	d := &sdp.SessionDescription{
		Origin: sdp.Origin{
			Username: "outdial", SessionID: sessionID, SessionVersion: version,
			NetworkType: "IN", AddressType: addrType, UnicastAddress: ip.String(),
		},
		SessionName: "outdial",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN", AddressType: addrType, Address: &sdp.Address{Address: ip.String()},
		},
		TimeDescriptions: []sdp.TimeDescription{{}},
	}
	md := &sdp.MediaDescription{
		MediaName: sdp.MediaName{Media: "audio", Port: sdp.RangedPort{Value: int(m.Addr.Port())}, Protos: []string{"RTP", "AVP"}},
	}
	for _, c := range m.Codecs {
		pt := strconv.Itoa(int(c.PayloadType))
		md.MediaName.Formats = append(md.MediaName.Formats, pt)
		md.Attributes = append(md.Attributes, sdp.NewAttribute("rtpmap", fmt.Sprintf("%s %s/%d", pt, c.Name, c.ClockRate)))
	}
	if m.HasDTMF {
		pt := strconv.Itoa(int(m.DTMF))
		md.MediaName.Formats = append(md.MediaName.Formats, pt)
		md.Attributes = append(md.Attributes,
			sdp.NewAttribute("rtpmap", pt+" telephone-event/8000"),
			sdp.NewAttribute("fmtp", pt+" 0-16"))
	}
	if m.PTime > 0 {
		md.Attributes = append(md.Attributes, sdp.NewAttribute("ptime", strconv.Itoa(m.PTime)))
	}
	md.Attributes = append(md.Attributes, sdp.NewPropertyAttribute(string(dir)))
	d.MediaDescriptions = []*sdp.MediaDescription{md}
	b, err := d.Marshal()
	if err != nil { // Marshal of a description we built cannot fail; keep the contract explicit.
		return nil
	}
	return b
}

// maxSDPSize bounds the SDP bodies we parse.
const maxSDPSize = 8192

// ParseMedia reads the first audio stream of an SDP body. Codecs it does not know by
// rtpmap or static payload type are left out; an audio stream with none we know is an
// error wrapping ErrNoCommonCodec. Other problems wrap ErrInvalidSDP.
func ParseMedia(body []byte) (Media, error) {
	if len(body) == 0 {
		return Media{}, fmt.Errorf("%w: empty body", ErrInvalidSDP)
	}
	if len(body) > maxSDPSize {
		return Media{}, fmt.Errorf("%w: body of %d bytes exceeds %d", ErrInvalidSDP, len(body), maxSDPSize)
	}
	var d sdp.SessionDescription
	if err := d.Unmarshal(body); err != nil {
		return Media{}, fmt.Errorf("%w: %v", ErrInvalidSDP, err)
	}
	var md *sdp.MediaDescription
	for _, m := range d.MediaDescriptions {
		if m != nil && m.MediaName.Media == "audio" {
			md = m
			break
		}
	}
	if md == nil {
		return Media{}, fmt.Errorf("%w: no m=audio line", ErrInvalidSDP)
	}
	out := Media{Direction: SendRecv}
	conn := md.ConnectionInformation
	if conn == nil {
		conn = d.ConnectionInformation
	}
	if conn == nil || conn.Address == nil {
		return Media{}, fmt.Errorf("%w: no c= connection address", ErrInvalidSDP)
	}
	ip, err := netip.ParseAddr(conn.Address.Address)
	if err != nil {
		return Media{}, fmt.Errorf("%w: c= address %q is not an IP address", ErrInvalidSDP, conn.Address.Address)
	}
	port := md.MediaName.Port.Value
	if port < 0 || port > 65535 {
		return Media{}, fmt.Errorf("%w: m= port %d out of range", ErrInvalidSDP, port)
	}
	out.Addr = netip.AddrPortFrom(ip.Unmap(), uint16(port))

	rtpmap := map[string]string{}
	for _, a := range d.Attributes {
		out.Direction = directionAttr(a.Key, out.Direction)
	}
	for _, a := range md.Attributes {
		switch a.Key {
		case "rtpmap":
			pt, enc, ok := strings.Cut(a.Value, " ")
			if ok {
				rtpmap[pt] = strings.TrimSpace(enc)
			}
		case "ptime":
			if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil && n > 0 && n <= 1000 {
				out.PTime = n
			}
		default:
			out.Direction = directionAttr(a.Key, out.Direction)
		}
	}
	for _, f := range md.MediaName.Formats {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 127 {
			continue
		}
		enc, mapped := rtpmap[f]
		name, rate, _ := strings.Cut(enc, "/")
		rate, _, _ = strings.Cut(rate, "/")
		switch {
		case mapped && strings.EqualFold(name, "telephone-event") && rate == "8000":
			if !out.HasDTMF {
				out.DTMF, out.HasDTMF = uint8(n), true
			}
		case mapped && (strings.EqualFold(name, "PCMU") || strings.EqualFold(name, "PCMA")) && rate == "8000":
			c, _ := codecByName(name)
			c.PayloadType = uint8(n)
			out.Codecs = append(out.Codecs, c)
		case !mapped && n == 0:
			out.Codecs = append(out.Codecs, PCMU)
		case !mapped && n == 8:
			out.Codecs = append(out.Codecs, PCMA)
		}
	}
	if len(out.Codecs) == 0 {
		return out, fmt.Errorf("%w: audio formats %v hold neither PCMU nor PCMA", ErrNoCommonCodec, md.MediaName.Formats)
	}
	return out, nil
}

func directionAttr(key string, cur Direction) Direction {
	switch Direction(key) {
	case SendRecv, SendOnly, RecvOnly, Inactive:
		return Direction(key)
	}
	return cur
}

// Answer builds the answer to offer from a local RTP address: the first offered codec
// that is in supported, telephone-event if offered, and the mirrored direction.
func Answer(offer Media, local netip.AddrPort, supported []Codec) (Media, error) {
	for _, oc := range offer.Codecs {
		for _, sc := range supported {
			if strings.EqualFold(oc.Name, sc.Name) {
				return Media{
					Addr: local, Codecs: []Codec{oc}, DTMF: offer.DTMF, HasDTMF: offer.HasDTMF,
					Direction: offer.Direction.reverse(), PTime: 20,
				}, nil
			}
		}
	}
	return Media{}, fmt.Errorf("%w: offer has %v, we speak %v", ErrNoCommonCodec, codecNames(offer.Codecs), codecNames(supported))
}

func codecNames(cs []Codec) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Name
	}
	return out
}
