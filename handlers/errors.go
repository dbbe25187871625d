package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// retryAfterSeconds is what a 503 asks the browser (and the reader) to wait.
const retryAfterSeconds = "60"

// fail answers an error from the layers below: the one place where error kinds
// become status codes and translated pages. Unexpected errors are logged once, by observe.
func (a *App) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, courses.ErrNotFound):
		a.notFound(c)
	case errors.Is(err, courses.ErrForbidden):
		a.forbidden(c)
	case errors.Is(err, courses.ErrConflict):
		a.renderError(c, http.StatusConflict, "error.conflict.title", "error.conflict.message")
	case errors.Is(err, courses.ErrInvalid), store.BadData(err):
		// A request no page sends, or data PostgreSQL still refuses: the request's fault.
		// Logged, since either means a stale form, a tampered one or a check missing.
		_ = c.Error(err)
		a.renderError(c, http.StatusBadRequest, "error.invalid.title", "error.invalid.message")
	case store.Unavailable(err):
		a.unavailable(c, err)
	case errors.Is(err, context.Canceled):
		// The browser went away before the answer: nobody reads it, and nothing is wrong on
		// our side. 499 is what proxies record for it.
		c.AbortWithStatus(499)
	default:
		a.serverError(c, err)
	}
}

// unavailable is the answer while PostgreSQL or Redis cannot be reached: 503 with
// Retry-After, and a page that says nothing saved is lost. The pools reconnect by
// themselves, so the next request after the server returns is served again.
func (a *App) unavailable(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Header("Retry-After", retryAfterSeconds)
	a.renderError(c, http.StatusServiceUnavailable, "error.unavailable.title", "error.unavailable.message")
}
