// Command events-load-driver is the load generator of `npm run bench:events`: N WebSocket viewers
// of one room on one relay, plus shoppers posting chat and likes at fixed rates over HTTP. It
// checks that every viewer gets every event (no gap in the sequence, every chat message) and
// measures, at the timed viewers, the delay from posting a message to receiving it.
//
// It is Go rather than Node because it must hold 10,000 sockets on one core while the relay
// under test has the other: each viewer is a goroutine reading into buffers it reuses, where a
// Node client pays for a stream, an event and a Buffer per frame and per socket.
//
// Loopback only; bounded in viewers and seconds. Prints progress lines, `measure-start` and
// `measure-end` around the posting window, and one `result {json}` line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
)

// How long chat and likes are posted before the measured window.
const warmup = 2 * time.Second

func main() {
	base := flag.String("url", "", "the relay, http://127.0.0.1:<port>")
	room := flag.String("room", "", "the room")
	viewers := flag.Int("viewers", 1000, "WebSocket viewers (1-15000)")
	seconds := flag.Int("seconds", 15, "how long chat and likes are posted (5-120)")
	chatPerSecond := flag.Int("chat", 20, "chat messages per second")
	likesPerSecond := flag.Int("likes", 200, "likes per second")
	timed := flag.Int("timed", -1, "viewers that also time each chat message (-1: all)")
	cpuProfile := flag.String("cpuprofile", "", "write the generator's own CPU profile of the posting window here")
	flag.Parse()
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+$`).MatchString(*base) {
		fail("loopback relays only, got %q", *base)
	}
	if *viewers < 1 || *viewers > 15000 || *seconds < 5 || *seconds > 120 || *room == "" {
		fail("-viewers takes 1 to 15000, -seconds 5 to 120, -room a room")
	}
	if *timed < 0 || *timed > *viewers {
		*timed = *viewers
	}
	addr := netip.MustParseAddrPort((*base)[len("http://"):])

	stats := newStats()
	poller := newPoller(stats)
	all := connectAll(poller, addr, *room, *viewers, *timed)
	settle(all)

	shoppers := newShoppers(*base, *room, stats.written)
	// A warm-up at the same rates, not in the figures (its worst delay is reported apart): traced
	// per 250 ms, the tail of a 10,000-viewer run sat in the first second of chat (0.3-0.6 s, then
	// 0.15-0.3 s), a start-up cost of the relay that a show on for a minute does not pay again.
	shoppers.post(warmup, *chatPerSecond, *likesPerSecond)
	measuredFrom := time.Now().UnixMilli()
	stats.startMeasuring(measuredFrom)
	shoppers.relayWait.startMeasuring(measuredFrom)
	fmt.Println("measure-start")
	if *cpuProfile != "" {
		stop := profile(*cpuProfile)
		defer stop()
	}
	started := time.Now()
	framesBefore := framesReceived(all)
	shoppers.post(time.Duration(*seconds)*time.Second, *chatPerSecond, *likesPerSecond)
	fmt.Println("measure-end")
	// Frames (WebSocket messages) the relay sent while posting: its writes, for its cost per write.
	windowFrames := framesReceived(all) - framesBefore

	// Wait for the stragglers: the relay persists and sends every message; what has not arrived
	// after the drain time is reported as missing.
	const drain = 20 * time.Second
	drainStart := time.Now()
	for time.Since(drainStart) < drain {
		time.Sleep(100 * time.Millisecond)
		if shoppers.idle() && everyoneHas(all, shoppers.chatsAccepted()) {
			break
		}
	}
	result := summarize(all, shoppers, stats)
	result["seconds"] = *seconds
	result["windowFrames"] = windowFrames
	result["drainMs"] = time.Since(drainStart).Milliseconds()
	result["wallMs"] = time.Since(started).Milliseconds()
	line, _ := json.Marshal(result)
	fmt.Printf("result %s\n", line)
	poller.stop()
}

// Handshakes tried again after a refusal or reset.
var retries atomic.Int64

// connectAll opens the viewers a few hundred at a time (as a crowd arriving, not one SYN flood).
func connectAll(poller *poller, addr netip.AddrPort, room string, count, timed int) []*viewer {
	started := time.Now()
	all := make([]*viewer, count)
	var wg sync.WaitGroup
	var failed sync.Once
	gate := make(chan struct{}, 64)
	for i := range all {
		gate <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			v, err := dial(addr, room, i < timed)
			// A refused or reset handshake (a relay busy accepting thousands) is tried again a
			// few times, as a browser's reconnect would; the count is reported.
			for attempt := 1; err != nil && attempt < 4; attempt++ {
				retries.Add(1)
				time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
				v, err = dial(addr, room, i < timed)
			}
			if err == nil {
				err = poller.add(v)
			}
			<-gate
			if err != nil {
				failed.Do(func() { fail("viewer %d could not connect: %v", i, err) })
				return
			}
			all[i] = v
		}(i)
	}
	wg.Wait()
	fmt.Printf("connected %d viewers (%d timed) in %d ms, %d handshakes tried again\n", count, timed, time.Since(started).Milliseconds(), retries.Load())
	return all
}

func framesReceived(all []*viewer) int64 {
	var frames int64
	for _, v := range all {
		frames += v.frames.Load()
	}
	return frames
}

func everyoneHas(all []*viewer, chats int64) bool {
	for _, v := range all {
		if v.chats.Load() < chats && !v.closed.Load() {
			return false
		}
	}
	return true
}

func summarize(all []*viewer, shoppers *shoppers, stats *stats) map[string]any {
	accepted := shoppers.chatsAccepted()
	var delivered, gaps, resyncs, dropped, missing, duplicated int64
	for _, v := range all {
		chats := v.chats.Load()
		delivered += chats
		gaps += v.gaps.Load()
		resyncs += v.resyncs.Load()
		if v.closed.Load() {
			dropped++
		}
		if chats < accepted {
			missing++
		} else if chats > accepted {
			duplicated++
		}
	}
	p50, p99, max, timedDeliveries := stats.percentiles()
	fanoutP50, fanoutP99, fanoutMax, _ := stats.fanout.percentiles()
	_, writtenP99, writtenMax, _ := stats.written.percentiles()
	return map[string]any{
		"viewers":            len(all),
		"connectRetries":     retries.Load(),
		"timedViewers":       countTimed(all),
		"chatsSent":          shoppers.chatsSent,
		"likesSent":          shoppers.likesSent,
		"chatRefused":        shoppers.chatRefused.Load(),
		"likesRefused":       shoppers.likesRefused.Load(),
		"expected":           accepted * int64(len(all)),
		"delivered":          delivered,
		"timedDeliveries":    timedDeliveries,
		"warmupMaxMs":        stats.warmupMax.Load(),
		"viewersMissingChat": missing,
		"viewersDuplicated":  duplicated,
		"seqGaps":            gaps,
		"p50":                p50,
		"p99":                p99,
		"max":                max,
		"fanoutP50":          fanoutP50,
		"fanoutP99":          fanoutP99,
		"fanoutMax":          fanoutMax,
		"writtenP99":         writtenP99,
		"writtenMax":         writtenMax,
		"postConnections":    shoppers.dials.Load(),
		"relayWaitP99":       percentile99(shoppers.relayWait),
		"relayWaitMax":       maximum(shoppers.relayWait),
		"resyncs":            resyncs,
		"dropped":            dropped,
	}
}

func percentile99(s *stats) int { _, p99, _, _ := s.percentiles(); return p99 }

func maximum(s *stats) int { _, _, max, _ := s.percentiles(); return max }

func countTimed(all []*viewer) int {
	n := 0
	for _, v := range all {
		if v.timed {
			n++
		}
	}
	return n
}

// profile writes a CPU profile (go tool pprof) until the returned stop is called.
func profile(path string) func() {
	out, err := os.Create(path)
	if err != nil {
		fail("cannot write the profile: %v", err)
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		fail("cannot profile: %v", err)
	}
	return func() {
		pprof.StopCPUProfile()
		out.Close()
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "events-load-driver: "+format+"\n", args...)
	os.Exit(1)
}

// settle waits for the join burst (join notices, viewer counts, the relay answering 10,000
// handshakes and snapshots) to pass, so that the window measures the show, not the arrival: until
// the viewers get less than one frame each per second for a whole second, at least 2 s, at most 20 s.
func settle(all []*viewer) {
	started := time.Now()
	previous := framesReceived(all)
	quiet := 0
	for time.Since(started) < 20*time.Second {
		time.Sleep(250 * time.Millisecond)
		current := framesReceived(all)
		if current-previous < int64(len(all))/4 {
			quiet++
		} else {
			quiet = 0
		}
		previous = current
		if quiet >= 4 && time.Since(started) >= 2*time.Second {
			return
		}
	}
}
