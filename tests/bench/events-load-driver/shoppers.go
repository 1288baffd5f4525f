package main

import (
	"fmt"
	"io"
	"net/http"
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
}

func newShoppers(base, room string) *shoppers {
	transport := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	return &shoppers{base: base, room: room, client: &http.Client{Transport: transport, Timeout: 30 * time.Second}}
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
			body := fmt.Sprintf(`{"shopper":"bench-shopper-%d","name":"Viewer %d","text":"t=%d n=%d"}`, n%100, n%100, time.Now().UnixMilli(), n)
			s.send("/chat", body, http.StatusCreated, &s.chatRefused)
		}
		for ; likesDue > 0; likesDue-- {
			s.likesSent++
			body := fmt.Sprintf(`{"shopper":"bench-liker-%d","count":1}`, s.likesSent%50)
			s.send("/likes", body, http.StatusAccepted, &s.likesRefused)
		}
	}
}

// send posts without waiting; any other status than `want` (or no answer) counts as refused.
func (s *shoppers) send(path, body string, want int, refused *atomic.Int64) {
	s.pending.Add(1)
	go func() {
		defer s.pending.Add(-1)
		response, err := s.client.Post(s.base+"/v1/rooms/"+s.room+path, "application/json", strings.NewReader(body))
		if err != nil {
			refused.Add(1)
			return
		}
		io.Copy(io.Discard, response.Body)
		response.Body.Close()
		if response.StatusCode != want {
			refused.Add(1)
		}
	}()
}

func (s *shoppers) idle() bool { return s.pending.Load() == 0 }

func (s *shoppers) chatsAccepted() int64 { return s.chatsSent - s.chatRefused.Load() }
