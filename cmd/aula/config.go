package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/redis/go-redis/v9"
)

// Config is read from environment variables, each with a default for local use.
type Config struct {
	Addr            string
	MetricsAddr     string // "" when metrics are not served
	BaseURL         *url.URL
	DatabaseURL     string
	DatabaseReadURL string // a streaming replica for the reports, the impact page and the exports; "" for none
	Redis           store.RedisConfig
	RedisPrefix     string
	SignInIdle      time.Duration
	SignInMaxAge    time.Duration
	TrustedProxies  []string
	LoginPerAccount int
	LoginPerIP      int
	LogLevel        string
	School          string // the name certificates are issued in
	// Secret seals the school's signing keys in PostgreSQL; nil when none is configured
	// (commands that sign refuse to run without it).
	Secret     []byte
	SigningKey []byte // an Ed25519 seed to sign with from the first start, or nil: one is made
	// Counts under these are suppressed in the reports' CSV exports and on the impact page.
	ReportSuppressBelow, ImpactSuppressBelow int
	// SMTP is the mail server; nil when AULA_SMTP_HOST is empty: emails are then kept in the
	// outbox, for the administrators' outbox page.
	SMTP              *store.SMTPConfig
	TwoFactorRequired courses.TwoFactorPolicy // the roles that must sign in with a second factor
	// MaxRequests and MaxHeavyRequests bound the requests an instance runs at once in its pages
	// lane and its heavy lane (handlers/admission.go); 0: the handlers' default for the CPUs.
	MaxRequests, MaxHeavyRequests int
	// MemoryLimit is Go's soft memory limit that serve sets, in bytes: defaultMemoryLimit when
	// GOMEMLIMIT is not set, 0 when it is (Go then reads it itself).
	MemoryLimit int64
}

// defaultMemoryLimit keeps an instance's memory within what an exam morning allows it
// (issue 12: 200 MB with 10,000 examinees): near it the garbage collector works harder
// instead of letting the heap double. Memory above it is still used, never refused.
const defaultMemoryLimit = 150 << 20

// configVars documents every variable: the README's table is written from the same list.
var configVars = []struct{ name, def, doc string }{
	{"AULA_ADDR", "localhost:8080", "address to listen on"},
	{"AULA_METRICS_ADDR", "127.0.0.1:9090", "where Prometheus metrics are served (/metrics), apart from the public pages; off to serve none"},
	{"AULA_BASE_URL", "http://localhost:8080", "the public URL; https makes cookies Secure and __Host- prefixed"},
	{"DATABASE_URL", "postgres://aula@127.0.0.1:55432/aula?sslmode=disable", "PostgreSQL"},
	{"DATABASE_READ_URL", "", "optional: a streaming replica of DATABASE_URL, read by the reports (/admin/reports and its CSVs), the impact page and the CSV exports; when it does not answer they read DATABASE_URL"},
	{"REDIS_URL", "redis://127.0.0.1:56379/0", "Redis (sign-ins, rate limits, bulk-upload previews); with Sentinels or a Cluster only its user, password, database and rediss:// apply, as in redis://:password@/0"},
	{"AULA_REDIS_SENTINELS", "", "comma-separated host:port of the Redis Sentinels: Aula then asks them for the master (AULA_REDIS_MASTER) and follows a failover"},
	{"AULA_REDIS_MASTER", "", "the master's name in the Sentinels' configuration (sentinel monitor NAME …); needed with AULA_REDIS_SENTINELS"},
	{"AULA_REDIS_SENTINEL_PASSWORD", "", "the Sentinels' own password (their requirepass), when they have one"},
	{"AULA_REDIS_CLUSTER", "", "comma-separated host:port of some nodes of a Redis Cluster, instead of Sentinels; AULA_REDIS_PREFIX must then hold a hash tag, as in {aula}:"},
	{"AULA_REDIS_PREFIX", "aula:", "prefix of every Redis key (the rate limiter puts rate: before it)"},
	{"AULA_SIGNIN_IDLE_TIMEOUT", "2h", "a sign-in ends after this long unused"},
	{"AULA_SIGNIN_MAX_AGE", "12h", "a sign-in ends this long after it began, used or not"},
	{"AULA_TRUSTED_PROXIES", "", "comma-separated addresses/CIDRs of the load balancers whose X-Forwarded-For is believed"},
	{"AULA_LOGIN_ATTEMPTS_PER_ACCOUNT", "5", "failed sign-ins per account from one address per 15 minutes (20 times as many from all addresses together)"},
	{"AULA_LOGIN_ATTEMPTS_PER_IP", "50", "failed sign-ins per client address per 15 minutes, whatever the account"},
	{"AULA_MAX_REQUESTS", "", "requests an instance runs at once, the others waiting their turn in the order they came (trainees' and visitors' pages); empty: 8 per CPU"},
	{"AULA_MAX_HEAVY_REQUESTS", "", "the same for the heavy lane, which waits apart: the staff's pages under /teach and /admin (reports, exports, imports), the impact page and certificates' PDFs; empty: 2 per CPU"},
	{"GOMEMLIMIT", "150MiB", "Go's soft memory limit for `aula serve`: near it the garbage collector works harder (up to about half the CPU while the live heap stays above it), and memory above it is still used; off for none, or more on a machine with room"},
	{"AULA_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"AULA_SCHOOL_NAME", "Aula", "the school's name, as certificates print it"},
	{"AULA_SECRET_KEY", "", "32 bytes in base64 that seal the certificates' signing keys in PostgreSQL; the same on every instance"},
	{"AULA_SECRET_KEY_FILE", "", "a file holding AULA_SECRET_KEY (outside the web root, readable by Aula only); `make run` makes .run/secret.key"},
	{"AULA_REPORT_SUPPRESS_BELOW", "0", "the reports' CSV exports show counts from 1 to one under this as \"fewer than N\" (0: none suppressed); the dashboard always shows them"},
	{"AULA_IMPACT_SUPPRESS_BELOW", "5", "the public impact page shows counts from 1 to one under this as \"fewer than N\" (1: none suppressed)"},
	{"AULA_TWO_FACTOR_REQUIRED", "admin", "who must sign in with a code from an authenticator app (TOTP) as well as the password: admin, staff (instructors and admins) or none; `make run` sets none"},
	{"AULA_SIGNING_KEY", "", "optional: an Ed25519 seed (32 bytes in base64) to sign with when the school has no key yet; else one is made on first start"},
	{"AULA_SMTP_HOST", "", "the mail server that sends Aula's email; empty: emails are kept in the outbox (/admin/outbox) and not sent"},
	{"AULA_SMTP_PORT", "587", "its port (587 for starttls, 465 for tls, 25 for a relay)"},
	{"AULA_SMTP_TLS", "starttls", "starttls (upgrade the connection, and send nothing without it), tls (TLS from the start) or none (a relay on a trusted network)"},
	{"AULA_SMTP_USERNAME", "", "the account to authenticate as; empty: no authentication"},
	{"AULA_SMTP_PASSWORD", "", "its password"},
	{"AULA_MAIL_FROM", "Aula <aula@localhost>", "the sender of every email, as in Aula <aula@example.org>"},
}

// loadConfig reads and checks the configuration; an error names the bad variable.
func loadConfig(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, c := range configVars {
			if c.name == name {
				return c.def
			}
		}
		return ""
	}
	var cfg Config
	var err error
	bad := func(name, why string) error {
		return fmt.Errorf("configuration: %s=%q: %s", name, getenv(name), why)
	}

	if strings.TrimSpace(getenv("GOMEMLIMIT")) == "" {
		cfg.MemoryLimit = defaultMemoryLimit
	}
	cfg.Addr = get("AULA_ADDR")
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return cfg, bad("AULA_ADDR", "not host:port (for example localhost:8080 or :8080)")
	}
	if cfg.MetricsAddr = get("AULA_METRICS_ADDR"); cfg.MetricsAddr == "off" {
		cfg.MetricsAddr = ""
	} else if _, _, err := net.SplitHostPort(cfg.MetricsAddr); err != nil {
		return cfg, bad("AULA_METRICS_ADDR", "not host:port (for example 127.0.0.1:9090), nor off")
	}
	cfg.BaseURL, err = url.Parse(get("AULA_BASE_URL"))
	if err != nil || (cfg.BaseURL.Scheme != "http" && cfg.BaseURL.Scheme != "https") || cfg.BaseURL.Host == "" {
		return cfg, bad("AULA_BASE_URL", "not an http:// or https:// URL")
	}
	cfg.DatabaseURL = get("DATABASE_URL")
	if u, err := url.Parse(cfg.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return cfg, bad("DATABASE_URL", "not a postgres:// URL")
	}
	if cfg.DatabaseReadURL = get("DATABASE_READ_URL"); cfg.DatabaseReadURL != "" {
		if u, err := url.Parse(cfg.DatabaseReadURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return cfg, bad("DATABASE_READ_URL", "not a postgres:// URL")
		}
	}
	cfg.RedisPrefix = get("AULA_REDIS_PREFIX")
	if cfg.Redis, err = redisConfig(get, bad, cfg.RedisPrefix); err != nil {
		return cfg, err
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{"AULA_SIGNIN_IDLE_TIMEOUT", &cfg.SignInIdle}, {"AULA_SIGNIN_MAX_AGE", &cfg.SignInMaxAge}} {
		v, err := time.ParseDuration(get(d.name))
		if err != nil || v < time.Minute {
			return cfg, bad(d.name, "not a duration of a minute or more (for example 30m or 2h)")
		}
		*d.to = v
	}
	if cfg.SignInIdle > cfg.SignInMaxAge {
		return cfg, bad("AULA_SIGNIN_IDLE_TIMEOUT", "longer than AULA_SIGNIN_MAX_AGE")
	}
	if v := get("AULA_TRUSTED_PROXIES"); v != "" {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if net.ParseIP(p) == nil {
				if _, _, err := net.ParseCIDR(p); err != nil {
					return cfg, bad("AULA_TRUSTED_PROXIES", fmt.Sprintf("%q is neither an IP address nor a CIDR", p))
				}
			}
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	for _, n := range []struct {
		name string
		to   *int
	}{{"AULA_LOGIN_ATTEMPTS_PER_ACCOUNT", &cfg.LoginPerAccount}, {"AULA_LOGIN_ATTEMPTS_PER_IP", &cfg.LoginPerIP}} {
		v, err := strconv.Atoi(get(n.name))
		if err != nil || v < 1 {
			return cfg, bad(n.name, "not a whole number of 1 or more")
		}
		*n.to = v
	}
	for _, n := range []struct {
		name string
		to   *int
	}{{"AULA_MAX_REQUESTS", &cfg.MaxRequests}, {"AULA_MAX_HEAVY_REQUESTS", &cfg.MaxHeavyRequests}} {
		if v := get(n.name); v != "" {
			if *n.to, err = strconv.Atoi(v); err != nil || *n.to < 1 || *n.to > 10000 {
				return cfg, bad(n.name, "not a whole number from 1 to 10000 (or empty, for the default)")
			}
		}
	}
	cfg.LogLevel = get("AULA_LOG_LEVEL")
	switch cfg.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return cfg, bad("AULA_LOG_LEVEL", "not one of debug, info, warn, error")
	}
	cfg.School = get("AULA_SCHOOL_NAME")
	if len([]rune(cfg.School)) > 200 {
		return cfg, bad("AULA_SCHOOL_NAME", "longer than 200 characters")
	}
	for _, n := range []struct {
		name string
		min  int
		to   *int
	}{{"AULA_REPORT_SUPPRESS_BELOW", 0, &cfg.ReportSuppressBelow}, {"AULA_IMPACT_SUPPRESS_BELOW", 1, &cfg.ImpactSuppressBelow}} {
		v, err := strconv.Atoi(get(n.name))
		if err != nil || v < n.min || v > 1000 {
			return cfg, bad(n.name, fmt.Sprintf("not a whole number from %d to 1000", n.min))
		}
		*n.to = v
	}
	var ok bool
	if cfg.TwoFactorRequired, ok = courses.ParseTwoFactorPolicy(get("AULA_TWO_FACTOR_REQUIRED")); !ok {
		return cfg, bad("AULA_TWO_FACTOR_REQUIRED", "not one of admin, staff, none")
	}
	secret := get("AULA_SECRET_KEY")
	if file := get("AULA_SECRET_KEY_FILE"); file != "" && secret == "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return cfg, bad("AULA_SECRET_KEY_FILE", "cannot be read: "+err.Error())
		}
		secret = strings.TrimSpace(string(b))
	}
	if secret != "" {
		if cfg.Secret, err = base64.StdEncoding.DecodeString(secret); err != nil || len(cfg.Secret) != 32 {
			return cfg, bad("AULA_SECRET_KEY", "not 32 bytes in base64 (make one with: head -c 32 /dev/urandom | base64)")
		}
	}
	if v := get("AULA_SIGNING_KEY"); v != "" {
		if cfg.SigningKey, err = base64.StdEncoding.DecodeString(v); err != nil || len(cfg.SigningKey) != 32 {
			return cfg, bad("AULA_SIGNING_KEY", "not an Ed25519 seed: 32 bytes in base64")
		}
	}
	if host := get("AULA_SMTP_HOST"); host != "" {
		port, err := strconv.Atoi(get("AULA_SMTP_PORT"))
		if err != nil || port < 1 || port > 65535 {
			return cfg, bad("AULA_SMTP_PORT", "not a port number")
		}
		cfg.SMTP = &store.SMTPConfig{Host: host, Port: port, TLS: get("AULA_SMTP_TLS"), From: get("AULA_MAIL_FROM"),
			Username: get("AULA_SMTP_USERNAME"), Password: getenv("AULA_SMTP_PASSWORD")}
		if _, err := store.NewSMTP(*cfg.SMTP); err != nil {
			name := "AULA_SMTP_TLS"
			if strings.Contains(err.Error(), "from address") {
				name = "AULA_MAIL_FROM"
			}
			return cfg, bad(name, err.Error())
		}
	}
	return cfg, nil
}

// redisConfig reads which Redis to use: REDIS_URL alone, Sentinels, or a Cluster.
func redisConfig(get func(string) string, bad func(name, why string) error, prefix string) (store.RedisConfig, error) {
	c := store.RedisConfig{URL: get("REDIS_URL"), Master: get("AULA_REDIS_MASTER"), SentinelPassword: get("AULA_REDIS_SENTINEL_PASSWORD")}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return c, bad("REDIS_URL", "not a redis:// or rediss:// URL")
	}
	if _, err := redis.ParseURL(c.URL); err != nil {
		return c, bad("REDIS_URL", strings.TrimPrefix(err.Error(), "redis: "))
	}
	for _, l := range []struct {
		name string
		to   *[]string
	}{{"AULA_REDIS_SENTINELS", &c.Sentinels}, {"AULA_REDIS_CLUSTER", &c.Cluster}} {
		v := get(l.name)
		if v == "" {
			continue
		}
		for _, addr := range strings.Split(v, ",") {
			addr = strings.TrimSpace(addr)
			host, port, err := net.SplitHostPort(addr)
			if n, perr := strconv.Atoi(port); err != nil || host == "" || perr != nil || n < 1 || n > 65535 {
				return c, bad(l.name, fmt.Sprintf("%q is not host:port (for example 10.0.0.5:26379)", addr))
			}
			*l.to = append(*l.to, addr)
		}
	}
	switch {
	case len(c.Sentinels) > 0 && len(c.Cluster) > 0:
		return c, bad("AULA_REDIS_CLUSTER", "given with AULA_REDIS_SENTINELS: a Cluster or Sentinels, not both")
	case len(c.Sentinels) > 0 && c.Master == "":
		return c, bad("AULA_REDIS_MASTER", "empty: the Sentinels need the name of the master they watch")
	case len(c.Sentinels) == 0 && c.Master != "":
		return c, bad("AULA_REDIS_MASTER", "given without AULA_REDIS_SENTINELS")
	case len(c.Cluster) > 0:
		if strings.Trim(u.Path, "/") != "" && strings.Trim(u.Path, "/") != "0" {
			return c, bad("REDIS_URL", "names a database other than 0, which a Redis Cluster does not have")
		}
		// A sign-in and its account's list of sign-ins change together, in one transaction:
		// in a Cluster their keys must be on one node, which a hash tag in the prefix does.
		if open := strings.Index(prefix, "{"); open < 0 || !strings.Contains(prefix[open+1:], "}") || strings.HasPrefix(prefix[open+1:], "}") {
			return c, bad("AULA_REDIS_PREFIX", "has no hash tag, which a Redis Cluster needs so that the keys that change together are on one node (for example {aula}:)")
		}
	}
	return c, nil
}

// useSigningKeys gives st the school's signing keys, for the commands that issue or verify.
func useSigningKeys(ctx context.Context, cfg Config, st *store.Store) error {
	if cfg.Secret == nil || st == nil {
		return errors.New("configuration: AULA_SECRET_KEY or AULA_SECRET_KEY_FILE is needed to sign certificates (make one with: head -c 32 /dev/urandom | base64)")
	}
	return st.UseSigningKeys(ctx, cfg.School, cfg.Secret, cfg.SigningKey)
}
