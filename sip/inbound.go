package sip

import (
	"net/netip"

	"github.com/emiago/sipgo/sip"
)

// allowHeader lists what we accept inside our own dialogs.
const allowHeader = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE"

// routes registers the inbound request handlers. Requests reach them only after the
// guard let them through (trunk sources, size and rate caps).
func (c *Client) routes() {
	c.srv.OnOptions(c.onOptions)
	c.srv.OnRegister(func(req *sip.Request, tx sip.ServerTransaction) {
		c.metrics.reject("register")
		c.respond(tx, req, 403, "Forbidden", nil)
	})
	c.srv.OnInvite(c.onInvite)
	c.srv.OnAck(func(*sip.Request, sip.ServerTransaction) {}) // ACKs to our 2xx of re-INVITEs
	c.srv.OnBye(c.onBye)
	c.srv.OnUpdate(c.onUpdate)
	c.srv.OnCancel(func(req *sip.Request, tx sip.ServerTransaction) {
		c.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
	})
	c.srv.OnNoRoute(func(req *sip.Request, tx sip.ServerTransaction) {
		if c.findCall(req) != nil && (req.Method == sip.INFO || req.Method == sip.NOTIFY) {
			c.respond(tx, req, 200, "OK", nil)
			return
		}
		c.respond(tx, req, 405, "Method Not Allowed", nil, sip.NewHeader("Allow", allowHeader))
	})
}

func (c *Client) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	c.respond(tx, req, 200, "OK", nil,
		sip.NewHeader("Allow", allowHeader),
		sip.NewHeader("Accept", "application/sdp"),
		sip.NewHeader("Supported", "timer"))
}

func (c *Client) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params.Has("tag") {
		if call := c.findCall(req); call != nil {
			call.onReinvite(req, tx)
			return
		}
		c.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
		return
	}
	c.metrics.reject("invite")
	src, _ := netip.ParseAddrPort(req.Source())
	code, reason := c.inbound.HandleInvite(src, req)
	if code < 300 || code > 699 {
		code, reason = 603, "Decline"
	}
	c.respond(tx, req, code, reason, nil)
}

func (c *Client) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if call := c.findCall(req); call != nil {
		call.onBye(req, tx)
		return
	}
	c.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
}

func (c *Client) onUpdate(req *sip.Request, tx sip.ServerTransaction) {
	if call := c.findCall(req); call != nil {
		call.onReinvite(req, tx)
		return
	}
	c.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
}
