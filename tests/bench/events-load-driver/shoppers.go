package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"
)

// shoppers post chat and likes over the relay's HTTP API, as the widget does, at fixed rates.
type shoppers struct {
	base, room   string
	client       *http.Client
	pending      atomic.Int64
	chatsSent    int64
	likesSent    int64
	chatRefused  atomic.Int64
	likesRefused atomic.Int64
	// From a chat message's post time to its request written to the socket: the generator's own
	// wait (a busy core, a connection to open), not the relay's.
	written *stats
	// Connections opened for posts (a post finding every kept-alive connection busy opens one).
	dials atomic.Int64
	// From a chat request written to the relay's clock on the message it answers with (the
	// time it accepted and published it): how long the request waited inside the relay.
	relayWait *stats
}

func newShoppers(base, room string, written *stats) *shoppers {
	transport := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	return &shoppers{
		base: base, room: room, client: &http.Client{Transport: transport, Timeout: 30 * time.Second},
		written: written, relayWait: newStats(),
	}
}

// post keeps to the rates on average, whatever the timer's jitter, for the given time.
func (s *shoppers) post(duration time.Duration, chatPerSecond, likesPerSecond int) {
	started := time.Now()
	chatsBefore, likesBefore := s.chatsSent, s.likesSent
	ticker := time.NewTicker(50 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		elapsed := time.Since(started)
		if elapsed >= duration {
			return
		}
		chatsDue := int64(elapsed.Seconds()*float64(chatPerSecond)) - (s.chatsSent - chatsBefore)
		likesDue := int64(elapsed.Seconds()*float64(likesPerSecond)) - (s.likesSent - likesBefore)
		for ; chatsDue > 0; chatsDue-- {
			s.chatsSent++
			n := s.chatsSent
			// 100 shoppers in turn: each stays within the relay's per-shopper chat limit. The text
			// starts with the post time, which the timed viewers read back.
			posted := time.Now().UnixMilli()
			body := fmt.Sprintf(`{"shopper":"bench-shopper-%d","name":"Viewer %d","text":"t=%d n=%d"}`, n%100, n%100, posted, n)
			s.send("/chat", body, http.StatusCreated, &s.chatRefused, posted)
		}
		for ; likesDue > 0; likesDue-- {
			s.likesSent++
			body := fmt.Sprintf(`{"shopper":"bench-liker-%d","count":1}`, s.likesSent%50)
			s.send("/likes", body, http.StatusAccepted, &s.likesRefused, 0)
		}
	}
}

// send posts without waiting; any other status than `want` (or no answer) counts as refused. A
// chat post (postedMs > 0) records when its request was written.
func (s *shoppers) send(path, body string, want int, refused *atomic.Int64, postedMs int64) {
	s.pending.Add(1)
	go func() {
		defer s.pending.Add(-1)
		request, _ := http.NewRequest(http.MethodPost, s.base+"/v1/rooms/"+s.room+path, strings.NewReader(body))
		request.Header.Set("Content-Type", "application/json")
		var wroteMs atomic.Int64
		trace := &httptrace.ClientTrace{ConnectStart: func(string, string) { s.dials.Add(1) }}
		if postedMs > 0 {
			trace.WroteRequest = func(httptrace.WroteRequestInfo) {
				wroteMs.Store(time.Now().UnixMilli())
				s.written.record(postedMs, wroteMs.Load()-postedMs)
			}
		}
		request = request.WithContext(httptrace.WithClientTrace(request.Context(), trace))
		response, err := s.client.Do(request)
		if err != nil {
			refused.Add(1)
			return
		}
		answer, _ := io.ReadAll(response.Body)
		response.Body.Close()
		if at := bytes.LastIndex(answer, eventTimeMarker); postedMs > 0 && at >= 0 && wroteMs.Load() > 0 {
			accepted, _ := numberAfter(answer, at+len(eventTimeMarker))
			s.relayWait.record(postedMs, accepted-wroteMs.Load())
		}
		if response.StatusCode != want {
			refused.Add(1)
		}
	}()
}

func (s *shoppers) idle() bool { return s.pending.Load() == 0 }

func (s *shoppers) chatsAccepted() int64 { return s.chatsSent - s.chatRefused.Load() }
