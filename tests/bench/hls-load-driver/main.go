// The load driver of `npm run bench:hls-load`: N simulated LL-HLS viewers against one origin,
// each doing what hls.js does at the live edge over one kept-alive HTTP/1.1 connection: a
// blocking playlist reload for the next part (_HLS_msn, _HLS_part, _HLS_skip=YES delta update),
// then a fetch of that part, and again.
//
// It is Go rather than Node because the bench needs 2,000 viewers (~20,000 requests/s) driven
// from one core, and Node's HTTP client took about a core for a few hundred viewers. The HTTP
// client is a minimal one of its own (request line, Content-Length bodies) for the same reason;
// it checks every status and body length, so a wrong answer is counted, never assumed.
//
// Prints one JSON line when the measured window starts ({"measuring": epochMs}) and one with the
// results at the end: request counts, statuses, failures, and every part delivery in the
// window as [msn, part, epoch ms] for the bench to compare with when the origin made the part.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"time"
)

type delivery struct {
	msn, part int
	at        int64 // epoch microseconds
}

type viewerResult struct {
	requests   int
	failures   int
	statuses   map[int]int
	deliveries []delivery
	lastError  string
}

func main() {
	mediaURL := flag.String("url", "", "the media playlist URL (http://127.0.0.1:port/...)")
	viewers := flag.Int("viewers", 2000, "simulated viewers")
	rampMs := flag.Int("ramp-ms", 3000, "viewers start evenly spread over this time; not measured")
	seconds := flag.Int("seconds", 20, "measured seconds after the ramp")
	flag.Parse()
	if *viewers < 1 || *viewers > 5000 || *seconds < 1 || *seconds > 60 {
		fail("viewers must be 1..5000 and seconds 1..60")
	}
	parsed, err := url.Parse(*mediaURL)
	if err != nil || parsed.Scheme != "http" {
		fail("-url must be an http URL")
	}
	ip := net.ParseIP(parsed.Hostname())
	if ip == nil || !ip.IsLoopback() {
		// The bench runs on loopback only; never load another address.
		fail("-url must point at a loopback address")
	}

	started := time.Now()
	measureFrom := started.Add(time.Duration(*rampMs) * time.Millisecond)
	end := measureFrom.Add(time.Duration(*seconds) * time.Second)
	go func() {
		time.Sleep(time.Until(measureFrom))
		emit(map[string]any{"measuring": measureFrom.UnixMilli()})
	}()

	results := make([]viewerResult, *viewers)
	var wg sync.WaitGroup
	for i := 0; i < *viewers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			delay := time.Duration(int64(i) * int64(*rampMs) * int64(time.Millisecond) / int64(*viewers))
			time.Sleep(delay)
			results[i] = runViewer(parsed, measureFrom, end)
		}(i)
	}
	wg.Wait()

	statuses := map[int]int{}
	requests, failures := 0, 0
	deliveries := make([][3]int64, 0, *viewers**seconds*5)
	errors := map[string]int{}
	for _, r := range results {
		requests += r.requests
		failures += r.failures
		for status, n := range r.statuses {
			statuses[status] += n
		}
		for _, d := range r.deliveries {
			deliveries = append(deliveries, [3]int64{int64(d.msn), int64(d.part), d.at})
		}
		if r.lastError != "" {
			errors[r.lastError]++
		}
	}
	emit(map[string]any{
		"requests":   requests,
		"failures":   failures,
		"statuses":   statuses,
		"errors":     errors,
		"seconds":    end.Sub(measureFrom).Seconds(),
		"deliveries": deliveries,
	})
}

// runViewer follows the live edge until `end`, counting only what happens after `measureFrom`.
func runViewer(media *url.URL, measureFrom, end time.Time) viewerResult {
	result := viewerResult{statuses: map[int]int{}}
	client, err := dial(media.Host)
	if err != nil {
		result.failures++
		result.lastError = err.Error()
		return result
	}
	defer client.close()
	// Nothing is left waiting past the end: a blocked reload or a stalled origin ends the viewer.
	client.setDeadline(end.Add(5 * time.Second))

	path := media.EscapedPath()
	count := func(status int) {
		if time.Now().After(measureFrom) {
			result.requests++
			result.statuses[status]++
		}
	}
	failure := func(err error) {
		if time.Now().After(measureFrom) {
			result.failures++
		}
		if err != nil {
			result.lastError = err.Error()
		}
	}

	status, body, err := client.get(path)
	if err != nil || status != 200 {
		failure(err)
		return result
	}
	count(status)
	msn, part, ok := preloadHint(body)
	if !ok {
		failure(fmt.Errorf("the first playlist has no EXT-X-PRELOAD-HINT"))
		return result
	}
	base := path[:bytes.LastIndexByte([]byte(path), '/')+1]
	var request []byte
	for time.Now().Before(end) {
		request = append(request[:0], path...)
		request = fmt.Appendf(request, "?_HLS_msn=%d&_HLS_part=%d&_HLS_skip=YES", msn, part)
		status, body, err = client.get(string(request))
		if err != nil {
			failure(err)
			return result
		}
		count(status)
		if status != 200 {
			failure(nil)
			continue
		}
		// A part index past the end of its segment means the next segment's first part.
		if !bytes.Contains(body, fmt.Appendf(nil, `URI="part-%d.%d.m4s"`, msn, part)) &&
			bytes.Contains(body, fmt.Appendf(nil, `URI="part-%d.0.m4s"`, msn+1)) {
			msn, part = msn+1, 0
		}
		status, _, err = client.get(base + fmt.Sprintf("part-%d.%d.m4s", msn, part))
		if err != nil {
			failure(err)
			return result
		}
		count(status)
		at := time.Now()
		if status != 200 {
			failure(nil)
		} else if at.After(measureFrom) {
			result.deliveries = append(result.deliveries, delivery{msn, part, at.UnixMicro()})
		}
		part++
	}
	return result
}

var hintPrefix = []byte(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-`)

// preloadHint reads msn and part from `#EXT-X-PRELOAD-HINT:TYPE=PART,URI="part-{msn}.{part}.m4s"`.
func preloadHint(body []byte) (msn, part int, ok bool) {
	at := bytes.Index(body, hintPrefix)
	if at < 0 {
		return 0, 0, false
	}
	n, err := fmt.Sscanf(string(body[at+len(hintPrefix):]), "%d.%d.m4s", &msn, &part)
	return msn, part, err == nil && n == 2
}

func emit(value any) {
	line, _ := json.Marshal(value)
	os.Stdout.Write(append(line, '\n'))
}

func fail(message string) {
	fmt.Fprintln(os.Stderr, "hls-load-driver:", message)
	os.Exit(2)
}
