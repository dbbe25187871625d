package handlers

import (
	"errors"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// fail answers an error from the layers below: the one place where error kinds
// become status codes and translated pages. Unexpected errors are logged once, by observe.
func (a *App) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, courses.ErrNotFound):
		a.notFound(c)
	case errors.Is(err, courses.ErrForbidden):
		a.forbidden(c)
	case errors.Is(err, courses.ErrInvalid):
		a.renderError(c, 400, "error.invalid.title", "error.invalid.message")
	case errors.Is(err, courses.ErrConflict):
		a.renderError(c, 409, "error.conflict.title", "error.conflict.message")
	default:
		a.serverError(c, err)
	}
}
