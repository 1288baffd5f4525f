package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// client is one viewer's kept-alive HTTP/1.1 connection: one request at a time, as a player
// sends its reloads and part fetches. It reads Content-Length bodies only (the origin always
// sends one) and reconnects when the server asks to close.
type client struct {
	host     string
	conn     net.Conn
	reader   *bufio.Reader
	writer   *bufio.Writer
	body     []byte
	closing  bool
	deadline time.Time
}

func dial(host string) (*client, error) {
	conn, err := net.Dial("tcp", host)
	if err != nil {
		return nil, err
	}
	return &client{host: host, conn: conn, reader: bufio.NewReaderSize(conn, 16<<10), writer: bufio.NewWriterSize(conn, 1<<10)}, nil
}

func (c *client) close() { c.conn.Close() }

// setDeadline bounds every read and write from now on, across reconnects.
func (c *client) setDeadline(deadline time.Time) {
	c.deadline = deadline
	c.conn.SetDeadline(deadline)
}

var (
	headerContentLength = []byte("content-length:")
	headerConnection    = []byte("connection:")
	errNoLength         = errors.New("response without Content-Length")
)

// get sends `GET target` and returns the status and the body (valid until the next call).
func (c *client) get(target string) (int, []byte, error) {
	if c.closing {
		conn, err := net.Dial("tcp", c.host)
		if err != nil {
			return 0, nil, err
		}
		c.conn.Close()
		c.conn, c.closing = conn, false
		c.conn.SetDeadline(c.deadline)
		c.reader.Reset(conn)
		c.writer.Reset(conn)
	}
	c.writer.WriteString("GET ")
	c.writer.WriteString(target)
	c.writer.WriteString(" HTTP/1.1\r\nHost: ")
	c.writer.WriteString(c.host)
	c.writer.WriteString("\r\n\r\n")
	if err := c.writer.Flush(); err != nil {
		return 0, nil, err
	}

	line, err := c.reader.ReadSlice('\n')
	if err != nil {
		return 0, nil, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, nil, fmt.Errorf("bad status line %q", line)
	}
	length := -1
	for {
		line, err = c.reader.ReadSlice('\n')
		if err != nil {
			return 0, nil, err
		}
		if len(line) <= 2 {
			break
		}
		lower := bytes.ToLower(line)
		if bytes.HasPrefix(lower, headerContentLength) {
			length, err = strconv.Atoi(string(bytes.TrimSpace(lower[len(headerContentLength):])))
			if err != nil {
				return 0, nil, fmt.Errorf("bad Content-Length %q", line)
			}
		} else if bytes.HasPrefix(lower, headerConnection) && bytes.Contains(lower, []byte("close")) {
			c.closing = true
		}
	}
	if length < 0 {
		return 0, nil, errNoLength
	}
	if cap(c.body) < length {
		c.body = make([]byte, length, length*2)
	}
	c.body = c.body[:length]
	if _, err := io.ReadFull(c.reader, c.body); err != nil {
		return 0, nil, err
	}
	return status, c.body, nil
}
