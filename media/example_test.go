package media_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/outdial/outdial/media"
)

// A call leg as the SIP layer sets it up: a port from the pool, a session on it, the
// peer's address from the SDP answer, decoded audio to a consumer, a prompt played.
func Example() {
	pool, err := media.NewPortPool(media.PortPoolConfig{IP: netip.MustParseAddr("127.0.0.1"), Min: 30000, Max: 30999})
	if err != nil {
		panic(err)
	}
	port, err := pool.Allocate()
	if err != nil {
		panic(err)
	}
	defer port.Close()

	sess, err := media.NewSession(port.RTP(), media.SessionConfig{Codec: media.PCMU, EventPT: 101})
	if err != nil {
		panic(err)
	}
	defer sess.Close()
	sess.SetRemote(netip.MustParseAddrPort("127.0.0.1:40000")) // c= and m= of the SDP answer

	sess.OnPCM(media.PCMHandlerFunc(func(frame []int16) { /* AMD, recording ... */ }))
	sess.OnDTMF(media.DTMFHandlerFunc(func(d media.Digit) { fmt.Println("digit", string(d.Digit)) }))

	prompt := media.NewPCMReader(make([]int16, media.FrameSamples*5)) // 100 ms of silence
	if err := sess.Play(context.Background(), prompt); err != nil {
		panic(err)
	}
	fmt.Println(sess.Stats().PacketsSent >= 5)
}

func ExampleTelephoneEvent() {
	ev := media.TelephoneEvent{Event: 11, End: true, Volume: 10, Duration: 800}
	fmt.Printf("% x\n", ev.Marshal())
	var back media.TelephoneEvent
	_ = back.Unmarshal([]byte{0x05, 0x0a, 0x00, 0xa0})
	d, _ := media.DigitForEvent(back.Event)
	fmt.Println(string(d), back.Duration)
	// Output:
	// 0b 8a 03 20
	// 5 160
}
