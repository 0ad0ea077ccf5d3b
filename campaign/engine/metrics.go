package engine

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the engine's Prometheus series. Build them once with NewMetrics; a nil
// *Metrics records nothing.
type Metrics struct {
	// Dials counts finished attempts (and dial-time exclusions) by campaign and outcome.
	Dials *prometheus.CounterVec
	// AbandonRatio is the calendar day's abandoned share of live answers per campaign.
	AbandonRatio *prometheus.GaugeVec
	// Agents counts logged-in agents by state.
	Agents *prometheus.GaugeVec
	// AnswerToAgent is the time from a call being ready for an agent (the answer, or the
	// human decision when AMD runs) to its audio being bridged to the agent.
	AnswerToAgent prometheus.Histogram
	// InFlight is the number of calls this node has in progress.
	InFlight prometheus.Gauge
	// LocalDialFailures counts dials refused before any INVITE left, for lack of a
	// local resource (reason rtp_ports or trunk_capacity) or because the account's Max
	// Concurrent Calls were live across the nodes (max_concurrent_calls); they are not
	// attempts and not in Dials.
	LocalDialFailures *prometheus.CounterVec
	// RingCuts counts unanswered predictive calls hung up after the minimum ring
	// because a live answer on them would likely have found no agent (pacing
	// Decision.Hangups); they are also in Dials as No Answer.
	RingCuts *prometheus.CounterVec
}

// NewMetrics builds the metrics and registers them with reg (nil: not registered):
//
//	outdial_campaign_dials_total{campaign,outcome}
//	outdial_campaign_abandon_ratio{campaign}
//	outdial_agents{state}
//	outdial_answer_to_agent_seconds
//	outdial_engine_calls_in_flight
//	outdial_engine_local_dial_failures_total{reason}
//	outdial_campaign_ring_cuts_total{campaign}
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Dials: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_campaign_dials_total",
			Help: "Finished campaign dial attempts and dial-time exclusions, by campaign and outcome."}, []string{"campaign", "outcome"}),
		AbandonRatio: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "outdial_campaign_abandon_ratio",
			Help: "Abandoned share of live answers today (campaign time zone), by campaign."}, []string{"campaign"}),
		Agents: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "outdial_agents",
			Help: "Logged-in agents on this node by state."}, []string{"state"}),
		AnswerToAgent: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "outdial_answer_to_agent_seconds",
			Help:    "Time from a call ready for an agent (answer or human decision) to its audio bridged to the agent.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5}}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "outdial_engine_calls_in_flight",
			Help: "Campaign calls in progress on this node."}),
		LocalDialFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_engine_local_dial_failures_total",
			Help: "Dials refused before any INVITE left: for lack of a local resource (rtp_ports, trunk_capacity), or because the account's Max Concurrent Calls were live across the nodes (max_concurrent_calls); no attempt is kept and the record is requeued."},
			[]string{"reason"}),
		RingCuts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "outdial_campaign_ring_cuts_total",
			Help: "Unanswered predictive calls hung up after the minimum ring (15 s) because a live answer would likely have found no agent, by campaign; also counted as No Answer dials."},
			[]string{"campaign"}),
	}
	if reg != nil {
		reg.MustRegister(m.Dials, m.AbandonRatio, m.Agents, m.AnswerToAgent, m.InFlight, m.LocalDialFailures, m.RingCuts)
	}
	return m
}
