package sip

import (
	"context"
	"net"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// pingDownAfter is how many unanswered OPTIONS pings in a row mark a trunk down; one
// answer marks it up again.
const pingDownAfter = 2

// pingLoop sends OPTIONS to a trunk every OptionsInterval until the client closes.
func (c *Client) pingLoop(ts *trunkState) {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.OptionsInterval)
	defer t.Stop()
	for {
		c.ping(ts)
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ping sends one OPTIONS and updates the trunk's up/down state. Any response but 503
// means the trunk is alive.
func (c *Client) ping(ts *trunkState) {
	timeout := min(c.cfg.OptionsInterval, 5*time.Second)
	ctx, cancel := context.WithTimeout(c.ctx, timeout)
	defer cancel()
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: ts.host(), Port: ts.port()})
	req.SetTransport(strings.ToUpper(string(ts.transport())))
	req.AppendHeader(&sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "outdial", Host: ts.fromDomain()}, Params: tagParams()})
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", Host: ts.host(), Port: ts.port()}})
	req.AppendHeader(sip.NewHeader("User-Agent", c.cfg.UserAgent))
	c.pinLocal(req, ts)
	c.metrics.request("OPTIONS", "out")
	res, err := c.duas[ts.transport()].Client.Do(ctx, req) // the Via of the trunk's transport
	if c.ctx.Err() != nil {
		return
	}
	alive := err == nil && res.StatusCode != 503
	if alive {
		ts.fails.Store(0)
		if !ts.up.Swap(true) {
			c.log.Info("sip: trunk up", "trunk", ts.Name)
		}
		c.metrics.trunkUp(ts.Name, true)
		return
	}
	if ts.fails.Add(1) >= pingDownAfter {
		if ts.up.Swap(false) {
			c.log.Warn("sip: trunk down", "trunk", ts.Name, "err", err)
		}
		c.metrics.trunkUp(ts.Name, false)
	}
}

func tagParams() sip.HeaderParams {
	p := sip.NewParams()
	p.Add("tag", sip.GenerateTagN(16))
	return p
}

// pinLocal makes UDP requests leave from our listening socket, so the trunk sees one
// address for everything we send and answers there.
func (c *Client) pinLocal(req *sip.Request, ts *trunkState) {
	if ts.transport() == TransportUDP {
		ua := c.conn.LocalAddr().(*net.UDPAddr)
		req.Laddr = sip.Addr{IP: ua.IP, Port: ua.Port}
	}
}
