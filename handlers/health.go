package handlers

import (
	"context"
	"net/http"
	"strconv"
	"strings"
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
	var failed []string
	if err := a.Store.Ping(ctx); err != nil {
		failed = append(failed, "postgresql")
	}
	if err := a.Redis.Ping(ctx).Err(); err != nil {
		failed = append(failed, "redis")
	}
	if len(failed) > 0 {
		c.String(http.StatusServiceUnavailable, "not ready: %s\n", strings.Join(failed, ", "))
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
	handler  http.Handler
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
	}
	reg.MustRegister(m.requests, m.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route, method).Observe(d.Seconds())
}

func (a *App) metricsHandler(c *gin.Context) { a.metrics.handler.ServeHTTP(c.Writer, c.Request) }
