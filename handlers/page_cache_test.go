package handlers

import (
	"strings"
	"testing"
	"time"
)

func TestPageCacheIsBoundedInBytesAndForgetsStalePages(t *testing.T) {
	now := time.Now()
	p := newPageCache(time.Second, 100<<10)
	page := []byte(strings.Repeat("x", 30<<10))
	for i := range 10 {
		p.put(string(rune('a'+i)), page, now)
		if p.bytes > 100<<10 {
			t.Fatalf("after %d pages the cache holds %d bytes", i+1, p.bytes)
		}
	}
	if _, ok := p.get("j", now); !ok {
		t.Fatal("the page just kept is not there")
	}
	if _, ok := p.get("j", now.Add(time.Second)); ok || p.entries["j"].body != nil {
		t.Fatal("a stale page was served or kept")
	}
	p.put("big", make([]byte, maxCachedPage+1), now)
	if _, ok := p.get("big", now); ok {
		t.Fatal("a page over maxCachedPage was kept")
	}
}
