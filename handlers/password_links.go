package handlers

import (
	"context"
	"errors"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// Password links: setting a password through a one-time link.

// noReferrer keeps a page's URL, which holds a one-time token, out of the Referer header
// of anything the page loads or links to.
func noReferrer(c *gin.Context) { c.Header("Referrer-Policy", "no-referrer") }

func (a *App) setPasswordForm(c *gin.Context) {
	noReferrer(c)
	token := c.Query("token")
	if !a.passwordLinkUsable(c, a.Store.CheckPasswordLink(c.Request.Context(), token, a.now())) {
		return
	}
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"token": token}}
	a.render(c, http.StatusOK, "set_password", v)
}

func (a *App) passwordLinkUsable(c *gin.Context, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, courses.ErrNotFound):
		a.renderError(c, http.StatusNotFound, "password_link.invalid_title", "password_link.invalid_message")
	case store.Unavailable(err):
		_ = c.Error(err) // logged once, by observe
		c.Header("Retry-After", retryAfterSeconds)
		a.renderError(c, http.StatusServiceUnavailable, "password_link.unavailable_title", "password_link.unavailable_message")
	default:
		a.fail(c, err)
	}
	return false
}

func (a *App) setPassword(c *gin.Context) {
	ctx := c.Request.Context()
	token := c.PostForm("token")
	password := c.PostForm("password")
	if !a.allowedFromAddress(c, a.Limiter.AllowPasswordLink) {
		return
	}
	if _, bad := inputErrors(c)["token"]; bad {
		a.passwordLinkUsable(c, courses.ErrNotFound)
		return
	}
	errs := inputErrors(c)
	if msg := courses.ValidatePassword(password); msg != "" && errs["password"] == "" {
		errs["password"] = msg
	}
	if len(errs) > 0 {
		if !a.passwordLinkUsable(c, a.Store.CheckPasswordLink(ctx, token, a.now())) {
			return
		}
		v := a.newView(c, nil)
		v.Form = &form{Values: map[string]string{"token": token}, Errors: errs}
		a.render(c, http.StatusUnprocessableEntity, "set_password", v)
		return
	}
	u, err := a.Store.UsePasswordLink(ctx, token, password, a.now(), func(u courses.User) error {
		return a.endSignIns(ctx, u)
	})
	if !a.passwordLinkUsable(c, err) {
		return
	}
	// Again, now that the new password is committed: a sign-in with the old one between the
	// first ending and the commit would otherwise outlive it.
	if err := a.endSignIns(ctx, u); err != nil {
		a.fail(c, err)
		return
	}
	// A link sets the password; it is not the second factor: an account that has one signs in
	// with its code next, as after the password.
	tf, err := a.Store.TwoFactor(ctx, u.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.password_set")
	if tf.On {
		a.beginSecondStep(c, u, u.Email, "/learning")
		return
	}
	if err := a.startSignIn(c, u.ID); err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/learning")
}

// endSignIns ends every sign-in of u and forgets the browsers the account knew: what a
// password change does, so that nothing that knew the old password keeps a way in.
func (a *App) endSignIns(ctx context.Context, u courses.User) error {
	if err := a.SignIns.DestroyAll(ctx, u.ID); err != nil {
		return err
	}
	return a.Limiter.ForgetDevices(ctx, u.Email)
}
