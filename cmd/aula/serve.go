package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aula-school/aula/handlers"
	"github.com/aula-school/aula/store"
)

// Main holds the running program's parts, so that they are built and closed in one place.
type Main struct {
	Config Config
	Store  *store.Store
	App    *handlers.App
	Logger *slog.Logger
	close  []func() error
}

// open connects to PostgreSQL and Redis and builds the web application.
func open(ctx context.Context, cfg Config, logw io.Writer) (*Main, error) {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	m := &Main{Config: cfg, Logger: slog.New(slog.NewJSONHandler(logw, &slog.HandlerOptions{Level: level}))}
	var opts []store.Option
	if cfg.DatabaseReadURL != "" {
		opts = append(opts, store.ReadReplica(store.Replica{URL: cfg.DatabaseReadURL, OnDown: func(err error) {
			m.Logger.Warn("the read replica (DATABASE_READ_URL) does not answer: the reports and exports read the primary meanwhile",
				"err", err, "retry_every", store.ReplicaPause.String())
		}}))
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, opts...)
	if err != nil {
		return nil, err
	}
	m.Store = st
	m.close = append(m.close, st.Close)
	if err := st.CheckSchema(ctx); err != nil {
		m.Close()
		return nil, err
	}
	if err := useSigningKeys(ctx, cfg, st); err != nil {
		m.Close()
		return nil, err
	}
	rdb, err := store.OpenRedis(ctx, cfg.Redis)
	if err != nil {
		m.Close()
		return nil, err
	}
	m.close = append(m.close, rdb.Close)
	clock := time.Now // the one clock: the sign-ins' timeouts and every rule the handlers apply
	m.App, err = handlers.New(handlers.Deps{
		Config: handlers.Config{BaseURL: cfg.BaseURL, TrustedProxies: cfg.TrustedProxies,
			ReportSuppressBelow: cfg.ReportSuppressBelow, ImpactSuppressBelow: cfg.ImpactSuppressBelow, Sending: cfg.SMTP != nil,
			TwoFactorRequired: cfg.TwoFactorRequired, MaxRequests: cfg.MaxRequests, MaxHeavyRequests: cfg.MaxHeavyRequests},
		Store:   st,
		Redis:   rdb,
		SignIns: store.NewSignIns(rdb, cfg.RedisPrefix, cfg.SignInIdle, cfg.SignInMaxAge, clock),
		Limiter: store.NewLimiter(rdb, cfg.RedisPrefix, store.LoginLimits{
			PerAccount: cfg.LoginPerAccount, PerIP: cfg.LoginPerIP, Period: 15 * time.Minute,
		}),
		Uploads: store.NewUploads(rdb, cfg.RedisPrefix),
		Logger:  m.Logger,
		Clock:   clock,
	})
	if err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// Close releases the connections, last opened first.
func (m *Main) Close() {
	for i := len(m.close) - 1; i >= 0; i-- {
		_ = m.close[i]()
	}
}

// serve runs the web server until ctx ends (SIGINT or SIGTERM), then lets requests in
// flight finish before it returns.
func serve(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	m, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer m.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	servers := []*http.Server{m.App.Server(cfg.Addr)}
	listeners := []net.Listener{ln}
	// Background work (the sweeper of overdue attempts): one River client per instance; River
	// elects the one that schedules, and each job is worked once.
	mail := store.MailConfig{Render: m.App.RenderEmail}
	if cfg.SMTP != nil {
		if mail.Send, err = store.NewSMTP(*cfg.SMTP); err != nil {
			ln.Close()
			return err
		}
	}
	jobs, err := m.Store.StartJobs(context.WithoutCancel(ctx), store.JobsConfig{Now: time.Now, Logger: m.Logger, Mail: mail})
	if err != nil {
		ln.Close()
		return err
	}
	defer func() {
		stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = jobs.Stop(stop)
	}()
	fmt.Fprintf(stdout, "Aula is serving at %s (listening on %s). Stop with Ctrl-C.\n", cfg.BaseURL, ln.Addr())
	if cfg.SMTP == nil {
		fmt.Fprintf(stdout, "No mail server is configured (AULA_SMTP_HOST): emails are kept in the outbox, %s/admin/outbox.\n",
			strings.TrimSuffix(cfg.BaseURL.String(), "/"))
	}
	if cfg.MetricsAddr != "" {
		// Metrics on their own address, so that a public deployment does not publish its routes' timings.
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (AULA_METRICS_ADDR): %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.App.MetricsHandler())
		servers = append(servers, &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second})
		listeners = append(listeners, mln)
		fmt.Fprintf(stdout, "Metrics for Prometheus at http://%s/metrics.\n", mln.Addr())
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	select {
	case err := <-errc:
		for _, srv := range servers {
			srv.Close()
		}
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(shutdown); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	for range servers {
		if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	fmt.Fprintln(stdout, "Aula stopped.")
	return nil
}

func migrate(ctx context.Context, cfg Config, stdout io.Writer) error {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "The database schema is up to date.")
	return nil
}

// openStore connects to PostgreSQL for a command that needs an up-to-date schema.
func openStore(ctx context.Context, cfg Config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if cfg.Secret != nil {
		if err := useSigningKeys(ctx, cfg, st); err != nil {
			st.Close()
			return nil, err
		}
	}
	return st, nil
}
