package handlers

import (
	"sync"
	"time"
)

// pageCache keeps a few public pages, as rendered, for a moment: the anonymous catalog is
// the page everyone opens first (and the one a crowd opens at once), and it is the same for
// every visitor of a language and a query. One instance's own memory, not Redis: a page a
// second old is as good as a fresh one, and cheaper than a round trip to fetch it.
type pageCache struct {
	ttl     time.Duration
	max     int
	mu      sync.Mutex
	entries map[string]cachedPage
}

type cachedPage struct {
	body    []byte
	expires time.Time
}

func newPageCache(ttl time.Duration, max int) *pageCache {
	return &pageCache{ttl: ttl, max: max, entries: make(map[string]cachedPage, max)}
}

// get returns the page kept under key, if it is still fresh at now.
func (p *pageCache) get(key string, now time.Time) ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok || !now.Before(e.expires) {
		return nil, false
	}
	return e.body, true
}

// put keeps body under key until now + ttl. A full cache is emptied first: with keys made
// of whatever query visitors type, a bound matters more than which entries survive.
func (p *pageCache) put(key string, body []byte, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.entries) >= p.max {
		clear(p.entries)
	}
	p.entries[key] = cachedPage{body: body, expires: now.Add(p.ttl)}
}
