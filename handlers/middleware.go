package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

const (
	ctxUser      = "aula.user"
	ctxLang      = "aula.lang"
	ctxToken     = "aula.signin"
	ctxRequestID = "aula.request_id"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// observe gives each request an id, then writes one log line and the metrics for it.
func (a *App) observe(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader("X-Request-ID")
	if !requestIDPattern.MatchString(id) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)

	c.Next()

	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	status := c.Writer.Status()
	elapsed := time.Since(start)
	a.metrics.observe(c.Request.Method, route, status, elapsed)
	attrs := []slog.Attr{
		slog.String("request_id", id),
		slog.String("method", c.Request.Method),
		slog.String("route", route),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", elapsed),
		slog.String("ip", c.ClientIP()),
	}
	if u := currentUser(c); u != nil {
		attrs = append(attrs, slog.Int64("user_id", u.ID))
	}
	level := slog.LevelInfo
	if len(c.Errors) > 0 {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", c.Errors.String()))
	}
	a.Logger.LogAttrs(c.Request.Context(), level, "request", attrs...)
}

// recoverPanic turns a panic into the 500 page; the stack goes to the log line.
func (a *App) recoverPanic(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			err := fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			if c.Writer.Written() {
				_ = c.Error(err)
				c.Abort()
				return
			}
			a.serverError(c, err)
		}
	}()
	c.Next()
}

// securityHeaders: no inline script, no framing, no sniffing, no referrer to other sites.
func (a *App) securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if a.secure {
		h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
	c.Next()
}

// crossOrigin refuses state-changing requests that a browser says come from another site.
func (a *App) crossOrigin(c *gin.Context) {
	if err := a.cop.Check(c.Request); err != nil {
		a.forbidden(c)
		return
	}
	c.Next()
}

// loadSignIn finds the signed-in user, if any, and the language to speak. The static
// files and the health checks need neither, and answer even while Redis is away.
func (a *App) loadSignIn(c *gin.Context) {
	switch c.FullPath() {
	case "/static/*path", "/healthz", "/readyz":
		c.Next()
		return
	}
	ctx := c.Request.Context()
	if cookie, err := c.Request.Cookie(a.cookieName(signInCookie)); err == nil && cookie.Value != "" {
		sess, err := a.SignIns.Get(ctx, cookie.Value)
		switch {
		case err == nil && sess.User != nil: // the user's row kept with the sign-in: no statement to know who asks
			c.Set(ctxUser, sess.User)
			c.Set(ctxToken, cookie.Value)
		case err == nil:
			u, err := a.Store.User(ctx, sess.UserID)
			if err == nil && u.Active {
				c.Set(ctxUser, &u)
				c.Set(ctxToken, cookie.Value)
				if err := a.SignIns.KeepUser(ctx, cookie.Value, sess, u); err != nil {
					slog.WarnContext(ctx, "the user's row not kept with the sign-in", "user", u.ID, "error", err)
				}
			} else if err == nil || errors.Is(err, courses.ErrNotFound) {
				if err := a.SignIns.DestroyAll(ctx, sess.UserID); err != nil {
					c.Set(ctxLang, a.chooseLanguage(c))
					a.fail(c, err)
					return
				}
				a.clearCookie(c, signInCookie)
			} else {
				c.Set(ctxLang, a.chooseLanguage(c))
				a.fail(c, err) // PostgreSQL down: 503, never signed out
				return
			}
		case errors.Is(err, courses.ErrNotFound):
			a.clearCookie(c, signInCookie)
		default:
			c.Set(ctxLang, a.chooseLanguage(c))
			a.fail(c, err) // Redis down: 503, never treated as signed out
			return
		}
	}
	c.Set(ctxLang, a.chooseLanguage(c))
	c.Next()
}

// chooseLanguage: the user's profile, else the switcher's cookie, else the browser, else Spanish.
func (a *App) chooseLanguage(c *gin.Context) string {
	if u := currentUser(c); u != nil && courses.ValidLanguage(u.Language) {
		return u.Language
	}
	if cookie, err := c.Request.Cookie(a.cookieName(langCookie)); err == nil && courses.ValidLanguage(cookie.Value) {
		return cookie.Value
	}
	if l := a.i18n.fromAcceptLanguage(c.Request); l != "" {
		return l
	}
	return courses.DefaultLanguage
}

func currentUser(c *gin.Context) *courses.User {
	if u, ok := c.Get(ctxUser); ok {
		return u.(*courses.User)
	}
	return nil
}

// actor is who makes a change, for the audit trail: the signed-in user and the address the
// request came from, as Gin reads it behind the trusted proxies.
func actor(c *gin.Context) courses.Actor {
	by := courses.Actor{IP: c.ClientIP()}
	if u := currentUser(c); u != nil {
		by.UserID = u.ID
	}
	return by
}

func (a *App) lang(c *gin.Context) string {
	if l := c.GetString(ctxLang); l != "" {
		return l
	}
	return courses.DefaultLanguage
}

// requireUser sends anonymous visitors to the sign-in page, and back here afterwards.
func (a *App) requireUser(c *gin.Context) {
	if currentUser(c) == nil {
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet {
			next = "/"
		}
		c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape(next))
		c.Abort()
		return
	}
	c.Next()
}

// requireRole refuses users without role.
func (a *App) requireRole(role courses.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if u := currentUser(c); u == nil || u.Role != role {
			a.forbidden(c)
			return
		}
		c.Next()
	}
}

// paramID reads a numeric id from the URL; anything else is a 404.
func paramID(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	return id, err == nil && id > 0
}
