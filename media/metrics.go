package media

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Reasons a received datagram is dropped, as the label of
// outdial_rtp_dropped_packets_total.
const (
	reasonMalformed = iota
	reasonForeign
	reasonUnknownPT
	numReasons
)

var reasonLabels = [numReasons]string{"malformed", "foreign_source", "unknown_payload_type"}

// Metrics counts RTP traffic across all sessions that share it. Build one with
// NewMetrics and pass it in SessionConfig.Metrics.
type Metrics struct {
	packets   *prometheus.CounterVec
	rxPackets prometheus.Counter
	txPackets prometheus.Counter
	lost      prometheus.Counter
	dropped   [numReasons]prometheus.Counter
}

// NewMetrics creates the media metrics and registers them with reg (nil registers
// nothing, for tests):
//
//	outdial_rtp_packets_total{direction="in"|"out"}
//	outdial_rtp_lost_packets_total
//	outdial_rtp_dropped_packets_total{reason="malformed"|"foreign_source"|"unknown_payload_type"}
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		packets: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outdial_rtp_packets_total",
			Help: "RTP packets received (direction=in, accepted from the latched peer) and sent (direction=out).",
		}, []string{"direction"}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "outdial_rtp_lost_packets_total",
			Help: "Incoming RTP packets missing from the sequence numbers (RFC 3550 cumulative loss).",
		}),
	}
	dropped := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "outdial_rtp_dropped_packets_total",
		Help: "Incoming datagrams dropped before the media pipeline, by reason.",
	}, []string{"reason"})
	m.rxPackets = m.packets.WithLabelValues("in")
	m.txPackets = m.packets.WithLabelValues("out")
	for i, r := range reasonLabels {
		m.dropped[i] = dropped.WithLabelValues(r)
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.packets, m.lost, dropped} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("media: register metrics: %w", err)
			}
		}
	}
	return m, nil
}
