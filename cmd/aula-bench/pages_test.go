package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestReferencesAreWhatABrowserFetchesByItself(t *testing.T) {
	html := `<!doctype html><html><head>
<link rel="stylesheet" href="/static/a.css"><link rel="alternate" hreflang="en" href="/en/page">
<link rel="canonical" href="https://aula.example/page"><link rel="icon" href='/favicon.ico'>
<script src="/static/a.js" defer></script><style>body{background:url("/static/bg.png")}</style></head>
<body><a href="https://elsewhere.example/">a link is not fetched</a>
<img src="/static/logo.png" srcset="/static/logo-2x.png 2x, /static/logo-3x.png 3x" alt=""></body></html>`
	got := references(html)
	want := []string{"/static/a.css", "/favicon.ico", "/static/a.js", "/static/logo.png", "/static/logo-2x.png", "/static/logo-3x.png", "/static/bg.png"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("references = %q, want %q", got, want)
	}
}

func TestFirstVisitCountsEveryFileAndFlagsAnotherOrigin(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/page", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<link rel="stylesheet" href="/s.css"><script src="https://cdn.example/x.js"></script>`))
	})
	mux.HandleFunc("/s.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		w.Write([]byte(`@font-face{src:url(/f.woff2)}`))
	})
	mux.HandleFunc("/f.woff2", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 1000)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/page", nil)
	v := firstVisit(context.Background(), "page", req)
	if v.err != nil {
		t.Fatal(v.err)
	}
	if v.files != 3 || v.bytes < 1000+80 {
		t.Errorf("first visit: %d files, %d bytes; want the page, its stylesheet and the font it loads (over 1,080 bytes)", v.files, v.bytes)
	}
	if len(v.thirdParty) != 1 || v.thirdParty[0] != "https://cdn.example/x.js" {
		t.Errorf("third-party references = %q, want the CDN's script", v.thirdParty)
	}
}

func TestTheThrottleVerdictWantsExactlyTheLimitChecked(t *testing.T) {
	for _, tc := range []struct {
		codes []int
		ok    bool
	}{
		{[]int{401, 401, 401, 401, 401, 429, 429}, true},
		{[]int{401, 401, 401, 401, 401, 401, 429}, false}, // a sixth guess was checked
		{[]int{401, 401, 401, 401, 429, 429}, false},      // refused before the limit
		{[]int{401, 401, 401, 401, 401}, false},           // never reached the limit
		{[]int{401, 401, 401, 401, 401, 429, 500}, false},
	} {
		f := &flood{codes: tc.codes}
		if ok, text := f.verdict(); ok != tc.ok {
			t.Errorf("%v: verdict %v (%s), want %v", tc.codes, ok, text, tc.ok)
		}
	}
}
