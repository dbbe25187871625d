package main

import (
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Issue 12's targets on single pages, measured one request at a time, not under load.
const (
	courseServerTarget = 5 * time.Millisecond
	courseServerRuns   = 301 // the median is judged
	courseHTMLTarget   = 50_000
	firstVisitTarget   = 60_000
	maxRoundTrips      = 3 // statements sent to PostgreSQL per page view
)

// serverTime is the median time of the course page of 65 lessons, unloaded: courseServerRuns
// requests one after another through Aula's real handler (middleware, the sign-in in Redis,
// the store, the template, gzip), timed in the process around ServeHTTP, so that neither the
// client nor the loopback is counted.
func serverTime(ctx context.Context, h http.Handler, path string, header http.Header) (time.Duration, error) {
	var runs []time.Duration
	for i := range courseServerRuns + 20 { // the first 20 warm the pools and caches
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
		req.RemoteAddr = "127.0.0.1:40000"
		for k, v := range header {
			req.Header[k] = v
		}
		rec := httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(rec, req)
		d := time.Since(t0)
		if rec.Code != http.StatusOK {
			return 0, fmt.Errorf("course page: status %d", rec.Code)
		}
		if i >= 20 {
			runs = append(runs, d)
		}
	}
	return median(runs), nil
}

// visit is everything a browser fetches on its first visit to one page, with an empty cache:
// the page and every stylesheet, script, image and font it references (and those the
// stylesheets reference), each asked for with Accept-Encoding: gzip, counted as sent (body as
// it came, compressed or not, plus the status line and headers).
type visit struct {
	name       string
	bytes      int
	files      int
	thirdParty []string // references to another origin
	err        error
}

var (
	tagRef = regexp.MustCompile(`(?is)<(link|script|img|source|video|audio|iframe|embed|object|image)\b[^>]*>`)
	attrRe = regexp.MustCompile(`(?is)\b(href|src|srcset|data|poster|xlink:href)\s*=\s*("([^"]*)"|'([^']*)')`)
	relRe  = regexp.MustCompile(`(?is)\brel\s*=\s*("([^"]*)"|'([^']*)')`)
	cssURL = regexp.MustCompile(`(?i)url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]`)
	// A <link> a browser fetches by itself; others (alternate, canonical, next) are addresses only.
	fetchedRel = map[string]bool{"stylesheet": true, "icon": true, "shortcut": true, "apple-touch-icon": true, "preload": true,
		"modulepreload": true, "manifest": true, "prefetch": true, "mask-icon": true}
)

// references are the addresses in html a browser fetches with the page.
func references(html string) []string {
	var refs []string
	for _, tag := range tagRef.FindAllStringSubmatch(html, -1) {
		if strings.EqualFold(tag[1], "link") {
			fetched := false
			if m := relRe.FindStringSubmatch(tag[0]); m != nil {
				for _, r := range strings.Fields(strings.ToLower(m[2] + m[3])) {
					fetched = fetched || fetchedRel[r]
				}
			}
			if !fetched {
				continue
			}
		}
		for _, a := range attrRe.FindAllStringSubmatch(tag[0], -1) {
			v := a[3] + a[4]
			if strings.EqualFold(a[1], "srcset") {
				for _, part := range strings.Split(v, ",") {
					if f := strings.Fields(part); len(f) > 0 {
						refs = append(refs, f[0])
					}
				}
				continue
			}
			refs = append(refs, v)
		}
	}
	// A style attribute or <style> block may fetch too.
	for _, m := range cssURL.FindAllStringSubmatch(html, -1) {
		refs = append(refs, m[1]+m[2])
	}
	return refs
}

// firstVisit fetches target's page and everything it references, as a first visit does.
func firstVisit(ctx context.Context, name string, target *http.Request) visit {
	v := visit{name: name}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	fetch := func(req *http.Request) (string, string, error) {
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := client.Do(req)
		if err != nil {
			return "", "", err
		}
		defer res.Body.Close()
		raw, err := io.ReadAll(res.Body)
		if err != nil {
			return "", "", err
		}
		if res.StatusCode != http.StatusOK {
			return "", "", fmt.Errorf("%s: status %d", req.URL.Path, res.StatusCode)
		}
		head := len(res.Proto) + len(res.Status) + 4 // "HTTP/1.1 200 OK\r\n" and the blank line
		for k, vs := range res.Header {
			for _, x := range vs {
				head += len(k) + 2 + len(x) + 2
			}
		}
		v.bytes += head + len(raw)
		v.files++
		body := raw
		if res.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(strings.NewReader(string(raw)))
			if err != nil {
				return "", "", err
			}
			if body, err = io.ReadAll(zr); err != nil {
				return "", "", err
			}
		}
		return string(body), res.Header.Get("Content-Type"), nil
	}
	page, _, err := fetch(target)
	if err != nil {
		v.err = err
		return v
	}
	seen := map[string]bool{target.URL.String(): true}
	queue := []struct {
		base *url.URL
		ref  string
	}{}
	for _, r := range references(page) {
		queue = append(queue, struct {
			base *url.URL
			ref  string
		}{target.URL, r})
	}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		ref := strings.TrimSpace(q.ref)
		if ref == "" || strings.HasPrefix(ref, "data:") || strings.HasPrefix(ref, "#") {
			continue
		}
		u, err := q.base.Parse(ref)
		if err != nil {
			v.err = fmt.Errorf("reference %q: %w", ref, err)
			return v
		}
		if u.Scheme != target.URL.Scheme || u.Host != target.URL.Host {
			v.thirdParty = append(v.thirdParty, u.String())
			continue
		}
		u.Fragment = ""
		if seen[u.String()] {
			continue
		}
		seen[u.String()] = true
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		req.Header.Set("Accept-Language", target.Header.Get("Accept-Language"))
		body, ctype, err := fetch(req)
		if err != nil {
			v.err = err
			return v
		}
		if strings.Contains(ctype, "css") {
			for _, m := range cssURL.FindAllStringSubmatch(body, -1) {
				queue = append(queue, struct {
					base *url.URL
					ref  string
				}{u, m[1] + m[2]})
			}
		}
	}
	return v
}
