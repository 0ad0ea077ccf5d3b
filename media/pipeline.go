package media

import (
	"errors"

	"github.com/pion/rtp"
)

// RTPHandler consumes received RTP packets: one stage of a receive pipeline. The packet
// and its payload are only valid during the call (the buffer is reused); copy to keep.
type RTPHandler interface {
	HandleRTP(p *rtp.Packet) error
}

// RTPHandlerFunc adapts a function to RTPHandler.
type RTPHandlerFunc func(p *rtp.Packet) error

// HandleRTP calls f(p).
func (f RTPHandlerFunc) HandleRTP(p *rtp.Packet) error { return f(p) }

// PCMHandler consumes decoded audio: 16-bit linear PCM at 8 kHz mono, normally one
// 20 ms frame of FrameSamples samples per call. The slice is reused after the call
// returns; copy what you keep.
type PCMHandler interface {
	HandlePCM(frame []int16)
}

// PCMHandlerFunc adapts a function to PCMHandler.
type PCMHandlerFunc func(frame []int16)

// HandlePCM calls f(frame).
func (f PCMHandlerFunc) HandlePCM(frame []int16) { f(frame) }

// RTPWriter sends RTP packets on some leg: a Session, or later a WebRTC track
// (pion's *webrtc.TrackLocalStaticRTP has this method). The writer must not keep p
// or its payload after returning.
type RTPWriter interface {
	WriteRTP(p *rtp.Packet) error
}

// PCMSource produces audio to send: ReadPCM fills frame with up to len(frame) samples
// (8 kHz mono) and returns how many it wrote. It returns io.EOF (with n >= 0) when the
// source is exhausted; a short frame is padded with silence.
type PCMSource interface {
	ReadPCM(frame []int16) (n int, err error)
}

// Endpoint is one side of a Bridge: something that accepts RTP to send and reports
// the RTP it receives to a handler (nil stops the reports).
type Endpoint interface {
	RTPWriter
	OnRTP(h RTPHandler)
}

// MultiPCM returns a PCMHandler that hands each frame to every non-nil handler in
// order, like io.MultiWriter.
func MultiPCM(handlers ...PCMHandler) PCMHandler {
	hs := make(multiPCM, 0, len(handlers))
	for _, h := range handlers {
		if h != nil {
			hs = append(hs, h)
		}
	}
	return hs
}

type multiPCM []PCMHandler

func (m multiPCM) HandlePCM(frame []int16) {
	for _, h := range m {
		h.HandlePCM(frame)
	}
}

// MultiRTP returns an RTPHandler that hands each packet to every non-nil handler in
// order. Every handler runs; the errors are joined.
func MultiRTP(handlers ...RTPHandler) RTPHandler {
	hs := make(multiRTP, 0, len(handlers))
	for _, h := range handlers {
		if h != nil {
			hs = append(hs, h)
		}
	}
	return hs
}

type multiRTP []RTPHandler

func (m multiRTP) HandleRTP(p *rtp.Packet) error {
	var errs []error
	for _, h := range m {
		if err := h.HandleRTP(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Decoder is an RTPHandler stage that decodes G.711 payloads (PCMU or PCMA, chosen by
// each packet's payload type) into a reused buffer and passes the PCM on. Packets of
// other payload types are ignored. It allocates nothing per packet and is meant for
// one receive goroutine.
type Decoder struct {
	next PCMHandler
	buf  []int16
}

var _ RTPHandler = (*Decoder)(nil)

// NewDecoder returns a decoder feeding next.
func NewDecoder(next PCMHandler) *Decoder {
	return &Decoder{next: next, buf: make([]int16, 0, 2*FrameSamples)}
}

// HandleRTP decodes p and calls the next handler.
func (d *Decoder) HandleRTP(p *rtp.Packet) error {
	c := Codec(p.PayloadType)
	if !c.valid() || d.next == nil || len(p.Payload) == 0 {
		return nil
	}
	if cap(d.buf) < len(p.Payload) {
		d.buf = make([]int16, 0, len(p.Payload))
	}
	frame := d.buf[:len(p.Payload)]
	c.Decode(frame, p.Payload)
	d.next.HandlePCM(frame)
	return nil
}

// ForwardTo returns an RTPHandler that writes every packet to w: the glue between a
// leg's receive side and another leg's send side.
func ForwardTo(w RTPWriter) RTPHandler { return forwarder{w} }

type forwarder struct{ w RTPWriter }

func (f forwarder) HandleRTP(p *rtp.Packet) error { return f.w.WriteRTP(p) }
