// Package sms will own SMS campaigns, templates, providers (HTTP and SMPP), rate limits
// and delivery receipts. It holds no code yet: SMS campaigns arrive with their own issue.
package sms
