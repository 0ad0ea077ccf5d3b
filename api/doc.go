// Package api serves the REST/JSON API under /api/v1, its OpenAPI document, health and
// readiness probes and the Prometheus metrics endpoint, with authentication, roles,
// request limits and the audit log of every change.
//
// It translates HTTP to store and domain calls; it must not write SQL.
package api
