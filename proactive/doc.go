// Package proactive will own proactive web campaigns: the rules engine, cooldown,
// suppression, goals and the web SDK. It holds no code yet: they arrive with their own issue.
package proactive
