package handlers

import (
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/semaphore"
)

// Admission: an instance runs a bounded number of requests at once and the others wait their
// turn in the order they came. Without it every request runs as soon as it arrives, all of
// them share the two cores, and each waits for a database connection that database/sql hands
// to a waiter chosen at random: at 64 concurrent clients the course page's p99 was 2.5 times
// its median, some requests served again and again before an unlucky one. With the bound the
// same work is done in the same time (Little's law keeps the mean), but in order, so the
// slowest request is not much slower than the median (make bench, BENCHMARKS.md: the answer
// save's p99 at 64 clients 119 → 54-59 ms, the quiz page turn's 228 → 76-106 ms).
//
// Two lanes, so that neither waits behind the other: the pages lane carries what trainees and
// visitors ask for, the heavy lane the staff's pages (reports, exports, imports, rosters:
// few users, each request heavy) and the two heavy reads anyone may make (the impact page, a
// certificate's PDF). An instructor who grants extra time during an exam is not queued
// behind 10,000 examinees, and ten reports at once do not hold the examinees' pages.
//
// Some requests wait in no lane: the health checks (a load balancer must hear from a busy
// instance), the static files, and the routes that hash a password, whose hashes have their
// own bound in the store (store/password.go) and which would otherwise hold a page's turn
// while they wait for one.

// Default bounds, per CPU the process may use: a request waits for PostgreSQL and Redis for
// part of its time, so a few per CPU keep the CPUs busy (measured on two CPUs: 4, 8, 12, 16
// and 24 pages at once all cut the p99; 16 did best for the quiz page turn).
const (
	defaultRequestsPerCPU      = 8
	defaultHeavyRequestsPerCPU = 2
)

// statusClientClosed is what a request dropped while it waited is counted as.
const statusClientClosed = 499

type laneName string

const (
	lanePages laneName = "pages"
	laneHeavy laneName = "heavy"
	laneNone  laneName = "" // waits for no turn
)

// unqueued are the routes that wait in no lane ("METHOD /route"; a route alone is any method).
var unqueued = map[string]bool{
	"/healthz": true, "/readyz": true, "/static/*path": true,
	"POST /login": true, "POST /register": true, "POST /password/set": true, "POST /profile/password": true,
}

// heavyRoutes are the heavy reads outside /teach and /admin.
var heavyRoutes = map[string]bool{
	"GET /impact": true, "GET /certificates/:certificate/certificate.pdf": true,
}

// laneOf is the lane a request for route (gin's full path; "" when none matched) waits in.
func laneOf(method, route string) laneName {
	switch {
	case unqueued[route] || unqueued[method+" "+route]:
		return laneNone
	case heavyRoutes[method+" "+route], route == "/teach", strings.HasPrefix(route, "/teach/"),
		route == "/admin", strings.HasPrefix(route, "/admin/"):
		return laneHeavy
	default:
		return lanePages
	}
}

// lane is a bound on the requests running at once, its waiters served first come, first
// served (semaphore.Weighted queues them in order).
type lane struct {
	name             laneName
	size             int64
	sem              *semaphore.Weighted
	waiting, running atomic.Int64
}

func newLane(name laneName, size int) *lane {
	return &lane{name: name, size: int64(size), sem: semaphore.NewWeighted(int64(size))}
}

type admission struct{ pages, heavy *lane }

// newAdmission bounds the lanes at pages and heavy requests at once (0: the default for the
// CPUs this process may use).
func newAdmission(pages, heavy int) *admission {
	cpus := runtime.GOMAXPROCS(0)
	if pages <= 0 {
		pages = defaultRequestsPerCPU * cpus
	}
	if heavy <= 0 {
		heavy = defaultHeavyRequestsPerCPU * cpus
	}
	return &admission{pages: newLane(lanePages, pages), heavy: newLane(laneHeavy, heavy)}
}

func (ad *admission) lane(name laneName) *lane {
	switch name {
	case lanePages:
		return ad.pages
	case laneHeavy:
		return ad.heavy
	}
	return nil
}

// collectors are the lanes' gauges for /metrics: how many requests wait and run in each.
func (ad *admission) collectors() []prometheus.Collector {
	var cs []prometheus.Collector
	for _, l := range []*lane{ad.pages, ad.heavy} {
		labels := prometheus.Labels{"lane": string(l.name)}
		cs = append(cs,
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "aula_requests_waiting", ConstLabels: labels,
				Help: "Requests waiting for their turn, by lane (pages, heavy)."}, func() float64 { return float64(l.waiting.Load()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "aula_requests_running", ConstLabels: labels,
				Help: "Requests running, by lane, at most aula_requests_limit."}, func() float64 { return float64(l.running.Load()) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "aula_requests_limit", ConstLabels: labels,
				Help: "The requests a lane runs at once (AULA_MAX_REQUESTS, AULA_MAX_HEAVY_REQUESTS)."}, func() float64 { return float64(l.size) }),
		)
	}
	return cs
}

// admit runs the request in its lane's turn. A request whose client goes away while it waits
// is dropped there, having cost nothing.
func (a *App) admit(c *gin.Context) {
	l := a.admission.lane(laneOf(c.Request.Method, c.FullPath()))
	if l == nil {
		c.Next()
		return
	}
	l.waiting.Add(1)
	err := l.sem.Acquire(c.Request.Context(), 1)
	l.waiting.Add(-1)
	if err != nil {
		// Nobody is left to read it; 499 (nginx's "client closed request") keeps it apart in
		// the metrics from the 503s of an outage.
		c.AbortWithStatus(statusClientClosed)
		return
	}
	l.running.Add(1)
	defer func() {
		l.running.Add(-1)
		l.sem.Release(1)
	}()
	c.Next()
}

// lanesMustMatch stops the start when a lane names a route that does not exist (renamed, say),
// which would otherwise put it back in the pages lane unseen.
func lanesMustMatch(routes gin.RoutesInfo) {
	known := map[string]bool{}
	for _, r := range routes {
		known[r.Method+" "+r.Path], known[r.Path] = true, true
	}
	for _, list := range []map[string]bool{unqueued, heavyRoutes} {
		for route := range list {
			if !known[route] {
				panic("handlers: lane for unknown route " + route)
			}
		}
	}
}
