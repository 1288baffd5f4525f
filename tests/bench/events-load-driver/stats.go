package main

import (
	"math"
	"sync/atomic"
)

// The longest delay the histogram tells apart; anything later counts as this.
const maxDelayMs = 30_000

// stats is a histogram of chat delivery delays in whole milliseconds, shared by the timed viewers.
// Beside post -> receipt (the figure), `fanout` holds relay published -> receipt (the event's own
// `time`, the relay's clock when it published it): what is left, published - posted, is the HTTP
// post waiting for the relay, so a tail shows on which side of the publish it grew.
type stats struct {
	fanout *stats
	// Post -> request written to the socket (the generator's own share of the delay).
	written   *stats
	histogram []uint32
	count     atomic.Int64
	// Messages posted before this time (unix ms) are the warm-up: kept apart, only their maximum.
	measuredFrom atomic.Int64
	warmupMax    atomic.Int64
}

func newStats() *stats {
	histogram := func() *stats {
		s := &stats{histogram: make([]uint32, maxDelayMs+1)}
		// Everything is warm-up until startMeasuring: before, measuredFrom was 0 during the
		// warm-up, so its deliveries went into the figures and only the stragglers were kept apart.
		s.measuredFrom.Store(math.MaxInt64)
		return s
	}
	s := histogram()
	s.fanout, s.written = histogram(), histogram()
	return s
}

// startMeasuring marks the end of the warm-up: messages posted from now on are in the figures.
func (s *stats) startMeasuring(unixMs int64) {
	s.measuredFrom.Store(unixMs)
	s.fanout.measuredFrom.Store(unixMs)
	s.written.measuredFrom.Store(unixMs)
}

// recordBoth records a message's post -> receipt delay and its publish -> receipt delay.
func (s *stats) recordBoth(postedMs, publishedMs, receivedMs int64) {
	s.record(postedMs, receivedMs-postedMs)
	if publishedMs > 0 {
		// Kept apart by post time, as the figure is, so both cover the same messages.
		s.fanout.record(postedMs, receivedMs-publishedMs)
	}
}

func (s *stats) record(postedMs, delayMs int64) {
	if postedMs < s.measuredFrom.Load() {
		for previous := s.warmupMax.Load(); delayMs > previous && !s.warmupMax.CompareAndSwap(previous, delayMs); previous = s.warmupMax.Load() {
		}
		return
	}
	if delayMs < 0 {
		delayMs = 0 // the same clock on both sides; never negative but for rounding
	} else if delayMs > maxDelayMs {
		delayMs = maxDelayMs
	}
	atomic.AddUint32(&s.histogram[delayMs], 1)
	s.count.Add(1)
}

// percentiles returns p50, p99 and the maximum in ms, and how many deliveries they cover.
func (s *stats) percentiles() (p50, p99, max int, count int64) {
	count = s.count.Load()
	at := func(p float64) int {
		target := uint64(float64(count)*p + 0.999999)
		var seen uint64
		for ms := range s.histogram {
			seen += uint64(atomic.LoadUint32(&s.histogram[ms]))
			if seen >= target && seen > 0 {
				return ms
			}
		}
		return 0
	}
	return at(0.5), at(0.99), at(1), count
}
