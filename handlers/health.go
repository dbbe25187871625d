package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// healthz says the process is up.
func (a *App) healthz(c *gin.Context) { c.String(http.StatusOK, "ok\n") }

// readyz says whether PostgreSQL and Redis answer, so a load balancer can skip this instance.
func (a *App) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	// Up or down, nothing more: which server failed is for the logs, not for the public.
	if err := a.Store.Ping(ctx); err != nil {
		_ = c.Error(err)
		c.String(http.StatusServiceUnavailable, "not ready\n")
		return
	}
	if err := a.Redis.Ping(ctx).Err(); err != nil {
		_ = c.Error(err)
		c.String(http.StatusServiceUnavailable, "not ready\n")
		return
	}
	c.String(http.StatusOK, "ready\n")
}

func (a *App) staticFile(c *gin.Context) {
	if !a.assets.Serve(c.Writer, c.Param("path")) {
		a.notFound(c)
	}
}

// metrics counts requests and their latency by route, in Prometheus format.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// verifications counts certificate look-ups by what they found: a run of not_found or
	// mistyped from one place is someone trying codes.
	verifications *prometheus.CounterVec
	handler       http.Handler
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aula_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aula_http_request_duration_seconds", Help: "HTTP request latency by route and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"}),
		verifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aula_certificate_verifications_total", Help: "Certificate look-ups by result (valid, revoked, expired, not_found, mistyped, invalid_signature).",
		}, []string{"result"}),
	}
	reg.MustRegister(m.requests, m.latency, m.verifications, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

// MetricsHandler serves the Prometheus metrics; cmd/aula serves it on its own address
// (AULA_METRICS_ADDR), never on the public router.
func (a *App) MetricsHandler() http.Handler { return a.metrics.handler }
