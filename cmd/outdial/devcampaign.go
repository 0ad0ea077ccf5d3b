package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/outdial/outdial/campaign"
	"github.com/outdial/outdial/config"
	"github.com/outdial/outdial/lists"
	"github.com/outdial/outdial/sip/carrier"
	"github.com/outdial/outdial/store"
)

// The demo campaign of `outdial dev`: an agentless reminder dialing the simulated
// carrier, so that a newcomer sees calls flow.

const demoCampaign = "Demo reminder (agentless)"

const demoFlow = `{"name": "Demo reminder", "start": "hello", "nodes": [
  {"id": "hello", "type": "say", "text": "Hi {{firstName}}, this is a reminder of your appointment. Press 1 to confirm.", "next": "menu"},
  {"id": "menu", "type": "gather", "max_digits": 1, "timeout_ms": 4000, "next": "route"},
  {"id": "route", "type": "branch", "variable": "digits", "cases": [{"equals": "1", "next": "yes"}], "default": "no"},
  {"id": "yes", "type": "set_disposition", "disposition": "Resolved", "next": "bye"},
  {"id": "no", "type": "set_disposition", "disposition": "Unresolved", "next": "bye"},
  {"id": "bye", "type": "hangup"}]}`

// startDevCarrier starts the simulated carrier where the demo trunk points.
func startDevCarrier() (*carrier.Server, error) {
	s := carrier.DefaultScenario()
	s.Press, s.PressMS = "1", [2]int{2000, 4000}
	// RTP ports of its own, clear of the server's RTP (sip.rtp_port_*) and WebRTC
	// (webrtc.port_*) defaults.
	return carrier.New(carrier.Config{Listen: "127.0.0.1:5070", Scenario: s, Seed: uint64(time.Now().UnixNano()), Audio: carrier.Builtin,
		RTPPorts: [2]uint16{40000, 44999}})
}

// seedDemoTrunk makes sure the sim-carrier trunk exists before the SIP client starts.
func seedDemoTrunk(ctx context.Context, cfg config.Config) error {
	st, err := openStore(ctx, cfg.Database.URL)
	if err != nil {
		return err
	}
	defer st.Close()
	ts, err := st.ListTrunks(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.Name == "sim-carrier" {
			return nil
		}
	}
	_, err = st.CreateTrunk(ctx, store.Trunk{Name: "sim-carrier", Address: "127.0.0.1:5070", Transport: "udp",
		MaxChannels: 200, MaxCPS: 50, Codecs: []string{"PCMU", "PCMA"}, Enabled: true})
	return err
}

// seedDemoCampaign creates (once) and starts the demo campaign.
func seedDemoCampaign(ctx context.Context, st store.Store, cfg config.Config) (string, error) {
	svc := campaign.NewService(st, campaign.OptionsFrom(cfg))
	cs, err := svc.List(ctx, store.CampaignFilter{Search: demoCampaign})
	if err != nil {
		return "", err
	}
	var c campaign.Campaign
	if len(cs) > 0 {
		c = cs[0]
	} else if c, err = createDemoCampaign(ctx, st, cfg, svc); err != nil {
		return "", err
	}
	switch c.Status {
	case store.CampaignReady:
		c, err = svc.Act(ctx, c.ID, campaign.ActionPlay)
	case store.CampaignCompleted:
		c, err = svc.Act(ctx, c.ID, campaign.ActionRerun)
	case store.CampaignPaused:
		c, err = svc.Act(ctx, c.ID, campaign.ActionResume)
	}
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s (id %d, %s)", c.Name, c.ID, c.Status), nil
}

func createDemoCampaign(ctx context.Context, st store.Store, cfg config.Config, svc *campaign.Service) (campaign.Campaign, error) {
	// Contacts live where it is early afternoon now, so the calling hours allow them.
	offset := 13 - time.Now().UTC().Hour()
	if offset > 12 {
		offset -= 24
	}
	zone := "Etc/GMT"
	if offset > 0 {
		zone = fmt.Sprintf("Etc/GMT-%d", offset)
	} else if offset < 0 {
		zone = fmt.Sprintf("Etc/GMT+%d", -offset)
	}
	var b strings.Builder
	b.WriteString("phone,first_name,last_name,time_zone\n")
	for i, name := range []string{"Ada", "Brook", "Cyrus", "Dana", "Eli", "Fay", "Gus", "Hana", "Ivan", "June", "Kai", "Lena",
		"Milo", "Nora", "Otto", "Pia", "Quinn", "Rosa", "Sam", "Tess"} {
		fmt.Fprintf(&b, "+1415555%04d,%s,Demo,%s\n", 2000+i, name, zone)
	}
	ls := lists.New(st, lists.Options{Limits: cfg.Limits})
	l, _, err := ls.CreateContactList(ctx, lists.NewList{Name: "Demo contacts"}, strings.NewReader(b.String()),
		lists.ImportOptions{Mapping: lists.Mapping{Phones: []string{"phone"}, FirstName: "first_name", LastName: "last_name", TimeZone: "time_zone"}})
	if err != nil {
		return campaign.Campaign{}, err
	}
	dnc, _, err := ls.CreateDNCList(ctx, lists.NewList{Name: "Demo DNC"}, strings.NewReader("phone\n+14155552019\n"), lists.ImportOptions{Mapping: lists.Mapping{Phones: []string{"phone"}}})
	if err != nil {
		return campaign.Campaign{}, err
	}
	f, err := st.CreateFlow(ctx, store.StoredFlow{Name: "Demo reminder", Document: []byte(demoFlow)})
	if err != nil {
		return campaign.Campaign{}, err
	}
	nums, err := st.ListPhoneNumbers(ctx)
	if err != nil || len(nums) == 0 {
		return campaign.Campaign{}, errors.Join(err, errors.New("no demo caller ID"))
	}
	return svc.Create(ctx, campaign.Definition{Name: demoCampaign, Description: "Dials the simulated carrier of outdial dev",
		ListIDs:      []int64{l.ID},
		Dialing:      campaign.Dialing{Mode: campaign.ModeAgentless, FlowID: &f.ID, AMD: true},
		Contacts:     campaign.Choose{DNCListID: dnc.ID},
		Outreach:     campaign.Outreach{CallerID: &nums[0].ID, MaxAttempts: 3, RetryMinutes: 2, MaxRingSeconds: 20, Timings: campaign.Timings{TimeZone: "UTC"}},
		Messages:     campaign.Messages{Voicemail: "Hello, this is a reminder of your appointment. Please call us back to confirm."},
		Dispositions: campaign.DispositionSet{Positive: []string{campaign.DispositionResolved}},
	})
}
