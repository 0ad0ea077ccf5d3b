package sip

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the SIP counters and gauges. Build them once with NewMetrics and share
// them between clients; a nil *Metrics records nothing.
type Metrics struct {
	// Requests counts SIP requests by method and direction (in, out).
	Requests *prometheus.CounterVec
	// Responses counts SIP responses by status code and direction (in, out).
	Responses *prometheus.CounterVec
	// CallsActive is the number of calls between INVITE and end.
	CallsActive prometheus.Gauge
	// CallSetup is the time from the first INVITE to the 200 OK of answered calls.
	CallSetup prometheus.Histogram
	// Outcomes counts ended calls by outcome.
	Outcomes *prometheus.CounterVec
	// TrunkUp is 1 while a trunk answers OPTIONS pings, 0 when it does not.
	TrunkUp *prometheus.GaugeVec
	// Rejected counts inbound messages refused before any dialog state: reason is acl,
	// size, rate, register, invite or malformed.
	Rejected *prometheus.CounterVec
}

// NewMetrics builds the metrics and registers them with reg (nil: not registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outdial_sip_requests_total", Help: "SIP requests by method and direction (in, out).",
		}, []string{"method", "direction"}),
		Responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outdial_sip_responses_total", Help: "SIP responses by status code and direction (in, out).",
		}, []string{"code", "direction"}),
		CallsActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "outdial_calls_active", Help: "Calls between the first INVITE and their end.",
		}),
		CallSetup: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "outdial_call_setup_seconds", Help: "Time from the first INVITE to the 200 OK of answered calls.",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 45, 60},
		}),
		Outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outdial_call_outcomes_total", Help: "Ended calls by dialer outcome.",
		}, []string{"outcome"}),
		TrunkUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "outdial_trunk_up", Help: "1 while the trunk answers OPTIONS pings, else 0.",
		}, []string{"trunk"}),
		Rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "outdial_sip_rejected_total", Help: "Inbound SIP messages refused before any dialog state, by reason.",
		}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.Requests, m.Responses, m.CallsActive, m.CallSetup, m.Outcomes, m.TrunkUp, m.Rejected)
	}
	return m
}

func (m *Metrics) request(method, dir string) {
	if m != nil {
		m.Requests.WithLabelValues(method, dir).Inc()
	}
}

func (m *Metrics) response(code int, dir string) {
	if m != nil {
		m.Responses.WithLabelValues(statusLabel(code), dir).Inc()
	}
}

func (m *Metrics) reject(reason string) {
	if m != nil {
		m.Rejected.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) trunkUp(name string, up bool) {
	if m != nil {
		v := 0.0
		if up {
			v = 1
		}
		m.TrunkUp.WithLabelValues(name).Set(v)
	}
}

func (m *Metrics) callStarted() {
	if m != nil {
		m.CallsActive.Inc()
	}
}

func (m *Metrics) callEnded(r Result) {
	if m == nil {
		return
	}
	m.CallsActive.Dec()
	m.Outcomes.WithLabelValues(string(r.Outcome)).Inc()
	if d := r.SetupTime(); d > 0 {
		m.CallSetup.Observe(d.Seconds())
	}
}

// statusLabel keeps the label set bounded: known codes as themselves, the rest as their class.
func statusLabel(code int) string {
	if code >= 100 && code < 700 {
		return itoa3(code)
	}
	return "other"
}

func itoa3(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}
