package main

import (
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// poller reads every viewer's socket from one thread with epoll, edge-triggered: one read() per
// socket that got data, then the frames in it are parsed in place. This is what lets one core
// hold 10,000 viewers: no goroutine, scheduler round trip or extra EAGAIN read per frame, which
// is where a goroutine-per-connection client spent most of its time (measured with -cpuprofile:
// about two thirds of it in the scheduler and in syscalls).
type poller struct {
	epfd int
	mu   sync.Mutex
	// Indexed by file descriptor (below the process's open-file limit).
	viewers []*viewer
	stats   *stats
	stopped atomic.Bool
	done    chan struct{}
}

const (
	// syscall.EPOLLET is negative (1 << 31 as an int); this is the same bit as a uint32.
	epollET  = uint32(1) << 31
	coalesce = 500 * time.Microsecond
)

func newPoller(stats *stats) *poller {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		fail("epoll: %v", err)
	}
	p := &poller{epfd: epfd, viewers: make([]*viewer, 1<<16), stats: stats, done: make(chan struct{})}
	go p.run()
	return p
}

func (p *poller) add(v *viewer) error {
	if v.fd >= len(p.viewers) {
		return errors.New("file descriptor above 65535")
	}
	p.mu.Lock()
	p.viewers[v.fd] = v
	p.mu.Unlock()
	event := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET, Fd: int32(v.fd)}
	return syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, v.fd, &event)
}

func (p *poller) run() {
	defer close(p.done)
	runtime.LockOSThread() // epoll_wait blocks this thread, not the posting goroutines
	events := make([]syscall.EpollEvent, 1024)
	for !p.stopped.Load() {
		n, err := syscall.EpollWait(p.epfd, events, 100)
		// The relay writes one socket every few microseconds during a tick: waiting a moment when
		// few are ready lets one epoll_wait return hundreds of them instead of one. It delays
		// each read by at most this pause, a small fraction of the 100 ms tick being measured.
		if n > 0 && n < len(events)/8 {
			time.Sleep(coalesce)
		}
		if err == syscall.EINTR {
			continue
		} else if err != nil {
			fail("epoll_wait: %v", err)
		}
		p.mu.Lock()
		for _, event := range events[:n] {
			if v := p.viewers[event.Fd]; v != nil && !p.read(v) {
				p.drop(v)
			}
		}
		p.mu.Unlock()
	}
}

// read takes everything the socket holds; false when it closed. Edge-triggered epoll reports a
// socket again only when new data arrives, so it reads until a read comes back short (TCP
// returns what is queued, so a short read means the queue was empty) or EAGAIN.
func (p *poller) read(v *viewer) bool {
	for {
		if cap(v.pending)-len(v.pending) < 1024 {
			v.pending = append(make([]byte, 0, 2*cap(v.pending)+1024), v.pending...)
		}
		room := cap(v.pending) - len(v.pending)
		n, err := syscall.Read(v.fd, v.pending[len(v.pending):cap(v.pending)])
		if err == syscall.EAGAIN {
			return true
		} else if err == syscall.EINTR {
			continue
		} else if err != nil || n == 0 {
			return false
		}
		v.pending = v.pending[:len(v.pending)+n]
		if !v.consume(time.Now(), p.stats) {
			return false
		}
		if n < room {
			return true
		}
	}
}

func (p *poller) drop(v *viewer) {
	syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, v.fd, nil)
	p.viewers[v.fd] = nil
	syscall.Close(v.fd)
	v.closed.Store(true)
}

// stop ends the loop and closes every socket still open.
func (p *poller) stop() {
	p.stopped.Store(true)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, v := range p.viewers {
		if v != nil {
			syscall.Close(v.fd)
		}
	}
	syscall.Close(p.epfd)
}
