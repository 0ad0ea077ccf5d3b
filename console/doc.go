// Package console serves the agent softphone and the manager web UI (UIHandler, at /: html/template and
// small ES modules embedded with go:embed), the agent WebSocket hub and WebRTC signalling.
//
// It translates HTTP and WebSocket to domain calls; it holds no business rule of its own
// and must not write SQL.
package console
