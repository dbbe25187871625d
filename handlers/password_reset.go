package handlers

import (
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// "Forgot password": a link valid for an hour, sent to the account's address.

func (a *App) forgotPasswordForm(c *gin.Context) {
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"email": shown(c.Query("email"))}}
	a.render(c, http.StatusOK, "password_forgot", v)
}

// forgotPassword answers the same for an address with an account and one without, so that
// nobody learns who studies at Aula from it: the request is queued as it is, a worker looks
// the address up, and the page that follows is the same, as soon. Requests are limited per
// client address and per email address.
func (a *App) forgotPassword(c *gin.Context) {
	email := courses.NormalizeEmail(c.PostForm("email"))
	errs := withInputErrors(c, courses.FieldErrors{})
	if _, bad := errs["email"]; !bad {
		if msg := courses.ValidateEmail(email); msg != "" {
			errs["email"] = msg
		}
	}
	if len(errs) > 0 {
		v := a.newView(c, nil)
		v.Form = &form{Values: map[string]string{"email": shown(email)}, Errors: errs}
		a.render(c, http.StatusUnprocessableEntity, "password_forgot", v)
		return
	}
	ctx := c.Request.Context()
	wait, err := a.Limiter.AllowPasswordReset(ctx, c.ClientIP(), email)
	if err != nil {
		a.fail(c, err)
		return
	}
	if wait > 0 {
		a.throttled(c, wait)
		return
	}
	if err := a.Store.QueuePasswordReset(ctx, email, a.now()); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.password_reset_sent")
	c.Redirect(http.StatusSeeOther, "/login")
}
