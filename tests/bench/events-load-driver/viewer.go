package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// RFC 6455 section 4.2.2: the server proves it read the key by hashing it with this GUID.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

var (
	seqMarker  = []byte(`{"seq":`)
	chatMarker = []byte(`"type":"chat"`)
	// The bench's chat text starts with the time it was posted: "t=<unix ms> n=<n>".
	timeMarker = []byte(`"text":"t=`)
	// The event's own time (the relay's clock at publish) comes before its data, so the last one
	// before the text is the chat event's.
	eventTimeMarker = []byte(`"time":`)
)

// viewer is one real WebSocket client of the relay's event stream, on a plain non-blocking
// socket that the poller reads. It reads every byte the relay sends (so the relay never sees it
// as slow) and checks, for every message, that the sequence runs on without a gap; it counts
// the chat events it gets. A timed viewer also reads each chat message's post time and records
// the delay in the shared histogram.
type viewer struct {
	fd    int
	timed bool
	// Bytes read but not yet parsed: the start of a frame whose end has not arrived.
	pending []byte
	// The last seq this viewer was sent, valid once its first snapshot arrived.
	lastSeq   int64
	snapshots int
	chats     atomic.Int64
	frames    atomic.Int64
	gaps      atomic.Int64
	resyncs   atomic.Int64
	closed    atomic.Bool
}

// dial opens the event stream the way a browser does, an HTTP/1.1 upgrade on a TCP socket, with
// blocking calls; the socket is made non-blocking for the poller afterwards.
func dial(addr netip.AddrPort, room string, timed bool) (*viewer, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	v := &viewer{fd: fd, timed: timed}
	if err := v.handshake(addr, room); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return v, nil
}

func (v *viewer) handshake(addr netip.AddrPort, room string) error {
	if err := syscall.Connect(v.fd, &syscall.SockaddrInet4{Port: int(addr.Port()), Addr: addr.Addr().As4()}); err != nil {
		return err
	}
	nonce := make([]byte, 16)
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	key := base64.StdEncoding.EncodeToString(nonce)
	request := fmt.Sprintf("GET /v1/rooms/%s/events HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", room, addr, key)
	if _, err := syscall.Write(v.fd, []byte(request)); err != nil {
		return err
	}
	response := make([]byte, 0, 4096)
	for !bytes.Contains(response, []byte("\r\n\r\n")) {
		if len(response) == cap(response) {
			return errors.New("upgrade response too long")
		}
		n, err := syscall.Read(v.fd, response[len(response):cap(response)])
		if err != nil || n <= 0 {
			return fmt.Errorf("no upgrade response: %v", err)
		}
		response = response[:len(response)+n]
	}
	end := bytes.Index(response, []byte("\r\n\r\n")) + 4
	head := strings.ToLower(string(response[:end]))
	digest := sha1.Sum([]byte(key + websocketGUID))
	accept := strings.ToLower(base64.StdEncoding.EncodeToString(digest[:]))
	if !strings.HasPrefix(head, "http/1.1 101 ") || !strings.Contains(head, "\r\nsec-websocket-accept: "+accept+"\r\n") {
		return fmt.Errorf("upgrade refused: %q", strings.SplitN(string(response), "\r\n", 2)[0])
	}
	// The first frames (the snapshot) may have come with the response: keep them.
	v.pending = append(make([]byte, 0, 2048), response[end:]...)
	return nil
}

// consume parses the whole frames at the start of v.pending (RFC 6455 section 5.2) and keeps the
// rest. A server does not mask; this relay does not fragment or compress, so a frame is a whole
// message. It returns false when the stream is over (a close frame or a broken one).
func (v *viewer) consume(now time.Time, stats *stats) bool {
	at := 0
	defer func() { v.pending = v.pending[:copy(v.pending, v.pending[at:])] }()
	for {
		data := v.pending[at:]
		if len(data) < 2 {
			return true
		}
		if data[0]&0x80 == 0 || data[0]&0x70 != 0 || data[1]&0x80 != 0 {
			return false // fragmented, compressed or masked: not what this relay sends
		}
		opcode, length, header := data[0]&0x0f, uint64(data[1]&0x7f), 2
		switch length {
		case 126:
			if len(data) < 4 {
				return true
			}
			length, header = uint64(binary.BigEndian.Uint16(data[2:4])), 4
		case 127:
			if len(data) < 10 {
				return true
			}
			length, header = binary.BigEndian.Uint64(data[2:10]), 10
		}
		if length > 16<<20 {
			return false
		}
		if uint64(len(data)-header) < length {
			return true
		}
		payload := data[header : header+int(length)]
		at += header + int(length)
		switch opcode {
		case 0x1, 0x2:
			v.frames.Add(1)
			v.onMessage(payload, now, stats)
		case 0x8:
			return false
		case 0x9:
			v.pong(payload)
		}
	}
}

// pong answers a ping; a client masks everything it sends (RFC 6455 section 5.3).
func (v *viewer) pong(payload []byte) {
	frame := append(make([]byte, 0, 6+len(payload)), 0x8A, 0x80|byte(len(payload)))
	mask := make([]byte, 4)
	rand.Read(mask)
	frame = append(frame, mask...)
	for i, b := range payload {
		frame = append(frame, b^mask[i%4])
	}
	syscall.Write(v.fd, frame) // a few bytes on an idle socket; a failure shows up as a close
}

// onMessage checks one message: in a batch `[{"seq":..},..]` each event's seq must follow the
// last one seen; a snapshot `{"seq":..,"type":"snapshot"}` restarts the count.
func (v *viewer) onMessage(payload []byte, now time.Time, stats *stats) {
	if len(payload) == 0 {
		return
	}
	if payload[0] == '{' {
		if !bytes.HasPrefix(payload, seqMarker) {
			return // a message about this socket alone (an error), outside the sequence
		}
		seq, _ := numberAfter(payload, len(seqMarker))
		if v.snapshots++; v.snapshots > 1 {
			v.resyncs.Add(1) // a second snapshot: the relay found this viewer too slow
		}
		v.lastSeq = seq
		return
	}
	if payload[0] != '[' || !bytes.HasPrefix(payload[1:], seqMarker) {
		v.gaps.Add(1)
		return
	}
	// Every event's seq must be the one after the previous: one forward scan over the frame.
	for at := 1; at < len(payload); {
		found := bytes.Index(payload[at:], seqMarker)
		if found < 0 {
			break
		}
		seq, end := numberAfter(payload, at+found+len(seqMarker))
		if v.snapshots == 0 || seq != v.lastSeq+1 {
			v.gaps.Add(1)
		}
		v.lastSeq, at = seq, end
	}
	if !v.timed {
		if chats := bytes.Count(payload, chatMarker); chats > 0 {
			v.chats.Add(int64(chats))
		}
		return
	}
	received := now.UnixMilli()
	for at := 0; ; {
		found := bytes.Index(payload[at:], timeMarker)
		if found < 0 {
			break
		}
		var published int64
		if t := bytes.LastIndex(payload[at:at+found], eventTimeMarker); t >= 0 {
			published, _ = numberAfter(payload, at+t+len(eventTimeMarker))
		}
		posted, end := numberAfter(payload, at+found+len(timeMarker))
		at = end
		v.chats.Add(1)
		stats.recordBoth(posted, published, received)
	}
}

// numberAfter parses the decimal digits at payload[from:]; it returns the value and where the digits end.
func numberAfter(payload []byte, from int) (int64, int) {
	var value int64
	at := from
	for at < len(payload) && payload[at] >= '0' && payload[at] <= '9' {
		value = value*10 + int64(payload[at]-'0')
		at++
	}
	return value, at
}
