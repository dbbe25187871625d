package handlers

import (
	"sync"
	"time"
)

// pageCache keeps a few public pages, as rendered, for a moment: the anonymous catalog is
// the page everyone opens first (and the one a crowd opens at once), and it is the same for
// every visitor of a language and a query. One instance's own memory, not Redis: a page a
// second old is as good as a fresh one, and cheaper than a round trip to fetch it. It is
// bounded in bytes, whatever visitors send.
type pageCache struct {
	ttl      time.Duration
	maxBytes int // all pages together
	mu       sync.Mutex
	entries  map[string]cachedPage
	bytes    int
}

type cachedPage struct {
	body    []byte
	expires time.Time
}

// maxCachedPage is the largest page kept: a catalog page is under 10 KB.
const maxCachedPage = 64 << 10

func newPageCache(ttl time.Duration, maxBytes int) *pageCache {
	return &pageCache{ttl: ttl, maxBytes: maxBytes, entries: map[string]cachedPage{}}
}

// get returns the page kept under key, if it is still fresh at now; a stale one goes.
func (p *pageCache) get(key string, now time.Time) ([]byte, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.entries[key]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		p.drop(key, e)
		return nil, false
	}
	return e.body, true
}

// put keeps body under key until now + ttl. When the pages would pass maxBytes, the stale
// ones go first, then all: a bound matters more than which entries survive.
func (p *pageCache) put(key string, body []byte, now time.Time) {
	if len(body) > maxCachedPage {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old, ok := p.entries[key]; ok {
		p.drop(key, old)
	}
	if p.bytes+len(key)+len(body) > p.maxBytes {
		for k, e := range p.entries {
			if !now.Before(e.expires) {
				p.drop(k, e)
			}
		}
		if p.bytes+len(key)+len(body) > p.maxBytes {
			clear(p.entries)
			p.bytes = 0
		}
	}
	p.entries[key] = cachedPage{body: body, expires: now.Add(p.ttl)}
	p.bytes += len(key) + len(body)
}

func (p *pageCache) drop(key string, e cachedPage) {
	delete(p.entries, key)
	p.bytes -= len(key) + len(e.body)
}
