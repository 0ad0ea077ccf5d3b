// Package console serves the agent softphone and the manager web UI (UIHandler, at /: html/template and
// small ES modules embedded with go:embed), the agent softphone console (SoftphoneHandler, at
// /console/), the agent WebSocket hub (Hub, at /console/ws) and the agents' WebRTC audio legs
// (WebRTCLegs: G.711 to the browser without transcoding; see docs/softphone.md).
//
// It translates HTTP and WebSocket to domain calls; it holds no business rule of its own
// and must not write SQL.
package console
