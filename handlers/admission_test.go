package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

func TestEachRouteWaitsInItsLane(t *testing.T) {
	for _, tt := range []struct {
		method, route string
		want          laneName
	}{
		{"GET", "/courses/:slug", lanePages},
		{"GET", "/courses/:slug/attempts/:attempt", lanePages},
		{"POST", "/courses/:slug/attempts/:attempt/answers", lanePages},
		{"GET", "/verify/:code", lanePages},
		{"GET", "", lanePages}, // no route: the 404 page
		{"GET", "/teach", laneHeavy},
		{"GET", "/teach/courses/:course/quizzes/:quiz/results.csv", laneHeavy},
		{"POST", "/teach/courses/:course/quizzes/:quiz/grants", laneHeavy},
		{"GET", "/admin/reports", laneHeavy},
		{"GET", "/impact", laneHeavy},
		{"GET", "/certificates/:certificate/certificate.pdf", laneHeavy},
		{"GET", "/certificates/:certificate", lanePages},
		{"GET", "/teachers", lanePages}, // a prefix of the path, not of the segment
		{"GET", "/healthz", laneNone},
		{"GET", "/readyz", laneNone},
		{"GET", "/static/*path", laneNone},
		{"POST", "/login", laneNone},
		{"GET", "/login", lanePages}, // the form hashes nothing
		{"POST", "/register", laneNone},
		{"POST", "/password/set", laneNone},
		{"POST", "/profile/password", laneNone},
	} {
		if got := laneOf(tt.method, tt.route); got != tt.want {
			t.Errorf("%s %s: lane %q, want %q", tt.method, tt.route, got, tt.want)
		}
	}
	ad := newAdmission(0, 0)
	if cpus := int64(runtime.GOMAXPROCS(0)); ad.pages.size != 8*cpus || ad.heavy.size != 2*cpus {
		t.Errorf("default bounds %d and %d for %d CPUs", ad.pages.size, ad.heavy.size, cpus)
	}
}

// With one request at a time in each lane: the waiting requests run in the order they came,
// one whose client leaves while it waits never runs, the heavy lane and the health checks go
// on while the pages lane is full, and /metrics says how many wait.
func TestRequestsWaitTheirTurnInTheOrderTheyCame(t *testing.T) {
	a, err := New(Deps{Config: Config{MaxRequests: 1, MaxHeavyRequests: 1}})
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan string, 16), make(chan struct{})
	hold := func(c *gin.Context) {
		entered <- c.Param("n")
		<-release
		c.String(http.StatusOK, "done")
	}
	a.engine.GET("/hold/:n", hold)
	a.engine.GET("/teach/hold/:n", hold)
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	defer close(release)

	get := func(ctx context.Context, path string) (int, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		_, _ = io.Copy(io.Discard, res.Body)
		return res.StatusCode, nil
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	next := func() string {
		t.Helper()
		select {
		case n := <-entered:
			return n
		case <-time.After(5 * time.Second):
			t.Fatal("no request ran")
			return ""
		}
	}
	ctx := context.Background()
	done := make(chan int, 16)
	send := func(ctx context.Context, path string) {
		go func() {
			status, _ := get(ctx, path)
			done <- status
		}()
	}

	send(ctx, "/hold/1")
	if n := next(); n != "1" {
		t.Fatalf("request %s ran first", n)
	}
	// Five more, each sent once the one before waits: their order is known.
	for i := 2; i <= 6; i++ {
		send(ctx, "/hold/"+strconv.Itoa(i))
		waitFor("request "+strconv.Itoa(i)+" to wait", func() bool { return a.admission.pages.waiting.Load() == int64(i-1) })
	}
	// One whose client gives up while it waits.
	gone, leave := context.WithCancel(ctx)
	go func() { _, _ = get(gone, "/hold/gone") }()
	waitFor("the leaving request to wait", func() bool { return a.admission.pages.waiting.Load() == 6 })
	leave()
	waitFor("the leaving request to be dropped", func() bool { return a.admission.pages.waiting.Load() == 5 })

	rec := httptest.NewRecorder()
	a.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	for _, want := range []string{`aula_requests_waiting{lane="pages"} 5`, `aula_requests_running{lane="pages"} 1`,
		`aula_requests_limit{lane="pages"} 1`, `aula_requests_waiting{lane="heavy"} 0`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// The pages lane is full: the health check answers, and the heavy lane runs its own.
	quick, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if status, err := get(quick, "/healthz"); err != nil || status != http.StatusOK {
		t.Fatalf("health check behind a full lane: %d %v", status, err)
	}
	send(ctx, "/teach/hold/staff")
	if n := next(); n != "staff" {
		t.Fatalf("request %s ran instead of the heavy lane's", n)
	}
	release <- struct{}{} // the heavy lane's request ends
	if status := <-done; status != http.StatusOK {
		t.Fatalf("heavy lane's request: %d", status)
	}

	var order []string
	for range 5 {
		release <- struct{}{} // the running request ends, and the next in line runs
		order = append(order, next())
		if status := <-done; status != http.StatusOK {
			t.Fatalf("a request ended with %d", status)
		}
	}
	if got := strings.Join(order, ","); got != "2,3,4,5,6" {
		t.Fatalf("waiting requests ran in the order %s, want 2,3,4,5,6", got)
	}
	release <- struct{}{}
	<-done
	select {
	case n := <-entered:
		t.Fatalf("request %s ran after its client had left", n)
	default:
	}
}
