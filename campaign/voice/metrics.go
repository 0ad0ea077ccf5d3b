package voice

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/outdial/outdial/amd"
)

// Metrics are the answering-machine detection figures of the calls a Dialer places.
type Metrics struct {
	decisions *prometheus.CounterVec
	seconds   *prometheus.HistogramVec
}

// NewMetrics creates the AMD metrics and registers them with reg (nil: not registered):
// outdial_amd_decisions_total{result,cause} and outdial_amd_decision_seconds{result}.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outdial_amd_decisions_total",
			Help: "Answering-machine detection reports on answered calls, by result (HUMAN, MACHINE, NOTSURE, FAX, SIT, MACHINE_END, or NONE when the guard timer ended the wait) and the rule that decided (cause).",
		}, []string{"result", "cause"}),
		seconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "outdial_amd_decision_seconds",
			Help:    "Time from answer to the detector's classification (result as above; MACHINE_END counts from answer to the end of the greeting).",
			Buckets: []float64{0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10, 15, 30},
		}, []string{"result"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.decisions, m.seconds} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("voice: register metrics: %w", err)
			}
		}
	}
	return m, nil
}

// observe counts one report of the detector; nil m counts nothing.
func (m *Metrics) observe(dec amd.Decision) {
	if m == nil {
		return
	}
	result, cause := dec.Result.String(), dec.Cause.String()
	if result == "" {
		result, cause = "NONE", "TIMEOUT"
	}
	m.decisions.WithLabelValues(result, cause).Inc()
	if dec.Result != amd.ResultNone {
		m.seconds.WithLabelValues(result).Observe(dec.At.Seconds())
	}
}
