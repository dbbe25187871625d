// Package handlers is Aula's web layer: Gin routes, middleware, forms and pages.
package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/static"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
)

// Config is what the web layer needs to know about where it runs.
type Config struct {
	BaseURL        *url.URL // https here makes cookies Secure and __Host- prefixed
	TrustedProxies []string // addresses or CIDRs whose X-Forwarded-For is believed
	// ReportSuppressBelow hides, in the administrators' CSV exports, counts from 1 to one
	// under it (0 or 1: none); ImpactSuppressBelow does so on the public impact page (0:
	// courses.DefaultImpactSuppression; 1: none).
	ReportSuppressBelow, ImpactSuppressBelow int
	// Sending says that a mail server is configured; without one the outbox page says that
	// emails are kept there, not sent.
	Sending bool
	// TwoFactorRequired names the roles that must sign in with a second factor; the zero
	// value requires it of nobody (cmd/aula's default is courses.TwoFactorAdmins).
	TwoFactorRequired courses.TwoFactorPolicy
	// MaxRequests and MaxHeavyRequests bound the requests that run at once in the pages lane
	// and in the heavy lane (handlers/admission.go); 0 means a default for the CPUs.
	MaxRequests, MaxHeavyRequests int
}

// Deps are the services the handlers use; cmd/aula and the tests build them.
type Deps struct {
	Config  Config
	Store   *store.Store
	Redis   redis.UniversalClient
	SignIns *store.SignIns
	Limiter *store.Limiter
	Uploads *store.Uploads
	Logger  *slog.Logger
	// Clock is "now" for every rule that depends on time (deadlines, windows, expiry), so
	// that tests can move it; nil means time.Now.
	Clock func() time.Time
}

// App is the web application.
type App struct {
	Deps
	engine  *gin.Engine
	pages   *pages
	emails  *emailLayouts
	i18n    *translations
	assets  *static.Assets
	metrics *metrics
	// admission bounds the requests running at once, the others waiting in order.
	admission *admission
	cop       *http.CrossOriginProtection
	secure    bool
	// catalogCache holds the anonymous catalog for catalogFreshness.
	catalogCache *pageCache
	statusLists  statusLists // the revocation list as last signed
	signatures   signatures  // certificates whose signatures this instance found good
	impact       impactCache // the public impact page's figures, for impactFreshness
}

// New builds the application: it parses every template and translation file now, so that
// a broken one stops the start rather than a request.
func New(d Deps) (*App, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Config.ImpactSuppressBelow == 0 {
		d.Config.ImpactSuppressBelow = courses.DefaultImpactSuppression
	}
	if d.Config.BaseURL == nil {
		d.Config.BaseURL = &url.URL{Scheme: "http", Host: "localhost:8080"}
	}
	a := &App{Deps: d, secure: d.Config.BaseURL.Scheme == "https", catalogCache: newPageCache(catalogFreshness, 8<<20)}
	var err error
	if a.i18n, err = loadTranslations(); err != nil {
		return nil, err
	}
	if a.assets, err = static.Load(); err != nil {
		return nil, fmt.Errorf("handlers: static files: %w", err)
	}
	if a.pages, err = parsePages(a.assets, a.i18n); err != nil {
		return nil, err
	}
	if a.emails, err = parseEmailLayouts(); err != nil {
		return nil, err
	}
	a.metrics = newMetrics(prometheus.NewRegistry())
	a.admission = newAdmission(d.Config.MaxRequests, d.Config.MaxHeavyRequests)
	a.metrics.registry.MustRegister(a.admission.collectors()...)
	if d.Store != nil {
		for name, db := range d.Store.Pools() {
			a.metrics.registry.MustRegister(collectors.NewDBStatsCollector(db, name))
		}
	}
	a.cop = http.NewCrossOriginProtection()
	gin.SetMode(gin.ReleaseMode)
	a.engine = gin.New()
	if err := a.engine.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		return nil, fmt.Errorf("handlers: trusted proxies: %w", err)
	}
	a.routes()
	return a, nil
}

// now is the application's clock.
func (a *App) now() time.Time { return a.Clock() }

// Handler is the whole application as an http.Handler, compressed with gzip at its fastest
// level: pages are a few kilobytes, where level 1 sends about 7 % more bytes than the
// default for less CPU (within make bench's noise, so a choice more than a measurement).
func (a *App) Handler() http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.BestSpeed))
	if err != nil { // only for options out of range, which these are not
		panic(err)
	}
	return wrap(a.engine)
}

// Server returns an http.Server with explicit timeouts for addr.
func (a *App) Server(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
	}
}
