package sim

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"nudge/internal/gateway"
)

// Options is how the simulated network behaves. In a gateway URL they are
// query parameters:
//
//	sim://?latency=20ms&receipt_delay=3s&fail_empty=0.02&fail_off=0.03&seed=7
//
//	throughput=2000     submits per second the network takes before it throttles (0: no limit)
//	latency=20ms        time each submit takes to be answered
//	receipt_delay=3s    time from submit to delivery receipt
//	receipt_jitter=2s   receipts spread uniformly over [delay, delay+jitter]
//	fail_empty=0.01     share of numbers that do not exist (a hard failure)
//	fail_off=0.02       share of messages to handsets switched off
//	fail_black=0.005    share of numbers that block the sender
//	fail_carrier=0.01   share of messages the network loses
//	fail_submit=0.0     share of submits refused with a temporary error (retried)
//	reply_rate=0.01     share of messages that get a reply
//	replies=好的,1,TD   the replies drawn from, comma separated
//	reply_delay=30s     time from delivery to reply
//	seed=1              makes every outcome reproducible
//	down=1              start down (for failover drills)
type Options struct {
	Throughput    float64
	Latency       time.Duration
	ReceiptDelay  time.Duration
	ReceiptJitter time.Duration
	FailEmpty     float64
	FailOff       float64
	FailBlack     float64
	FailCarrier   float64
	FailSubmit    float64
	ReplyRate     float64
	Replies       []string
	ReplyDelay    time.Duration
	Seed          uint64
	Down          bool
}

// DefaultOptions is a network that behaves like a decent Chinese SMS
// channel: fast answers, receipts within seconds, about 96% delivered.
func DefaultOptions() Options {
	return Options{
		Latency:       5 * time.Millisecond,
		ReceiptDelay:  2 * time.Second,
		ReceiptJitter: 3 * time.Second,
		FailEmpty:     0.01,
		FailOff:       0.02,
		FailBlack:     0.002,
		FailCarrier:   0.005,
		ReplyRate:     0.005,
		Replies:       []string{"好的", "谢谢", "1", "TD", "收到"},
		ReplyDelay:    20 * time.Second,
		Seed:          1,
	}
}

// ParseOptions reads the simulator's parameters from a gateway config.
func ParseOptions(cfg gateway.Config) (Options, error) {
	o := DefaultOptions()
	q := cfg.URL.Query()
	var err error
	dur := func(name string, d *time.Duration) {
		if v := q.Get(name); v != "" && err == nil {
			if *d, err = time.ParseDuration(v); err != nil || *d < 0 {
				err = fmt.Errorf("sim: %s=%q: want a duration such as 20ms", name, v)
			}
		}
	}
	share := func(name string, f *float64) {
		if v := q.Get(name); v != "" && err == nil {
			if *f, err = strconv.ParseFloat(v, 64); err != nil || *f < 0 || *f > 1 {
				err = fmt.Errorf("sim: %s=%q: want a share between 0 and 1", name, v)
			}
		}
	}
	dur("latency", &o.Latency)
	dur("receipt_delay", &o.ReceiptDelay)
	dur("receipt_jitter", &o.ReceiptJitter)
	dur("reply_delay", &o.ReplyDelay)
	share("fail_empty", &o.FailEmpty)
	share("fail_off", &o.FailOff)
	share("fail_black", &o.FailBlack)
	share("fail_carrier", &o.FailCarrier)
	share("fail_submit", &o.FailSubmit)
	share("reply_rate", &o.ReplyRate)
	if v := q.Get("throughput"); v != "" && err == nil {
		if o.Throughput, err = strconv.ParseFloat(v, 64); err != nil || o.Throughput < 0 {
			err = fmt.Errorf("sim: throughput=%q: want submits per second", v)
		}
	}
	if v := q.Get("replies"); v != "" {
		o.Replies = nil
		for _, r := range strings.Split(v, ",") {
			if r = strings.TrimSpace(r); r != "" {
				o.Replies = append(o.Replies, r)
			}
		}
	}
	if v := q.Get("seed"); v != "" && err == nil {
		if o.Seed, err = strconv.ParseUint(v, 10, 64); err != nil {
			err = fmt.Errorf("sim: seed=%q: want a non-negative integer", v)
		}
	}
	if v := q.Get("down"); v != "" && err == nil {
		if o.Down, err = strconv.ParseBool(v); err != nil {
			err = fmt.Errorf("sim: down=%q: want 1 or 0", v)
		}
	}
	if err != nil {
		return o, err
	}
	if sum := o.FailEmpty + o.FailOff + o.FailBlack + o.FailCarrier; sum > 1 {
		return o, fmt.Errorf("sim: failure shares add up to %.3f, more than 1", sum)
	}
	return o, nil
}
