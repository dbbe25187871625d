package handlers

import (
	"errors"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// A change of address: asked for on the profile with the password, confirmed from a link
// sent to the new address.

func (a *App) requestEmailChange(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	newEmail := courses.NormalizeEmail(c.PostForm("new_email"))
	password := c.PostForm("email_password")
	errs := inputErrors(c)
	if _, bad := errs["new_email"]; !bad {
		if msg := courses.ValidateEmail(newEmail); msg != "" {
			errs["new_email"] = msg
		} else if newEmail == courses.NormalizeEmail(u.Email) {
			errs["new_email"] = "error.new_email.same"
		}
	}
	if courses.CheckLine(password, courses.PasswordMaxLength) != "" {
		errs["email_password"] = "error.current_password.wrong"
	}
	if len(errs) == 0 {
		wait, err := a.Limiter.AllowEmailChange(ctx, u.ID)
		if err != nil {
			a.fail(c, err)
			return
		}
		if wait > 0 {
			a.throttled(c, wait)
			return
		}
		err = a.Store.RequestEmailChange(ctx, u.ID, password, newEmail, a.now())
		switch {
		case errors.Is(err, courses.ErrForbidden):
			errs["email_password"] = "error.current_password.wrong"
		case err != nil:
			a.fail(c, err)
			return
		}
	}
	if len(errs) > 0 {
		v := a.newView(c, nil)
		values := profileValues(profileOf(u))
		values["new_email"] = shown(newEmail)
		v.Form = &form{Values: values, Errors: errs}
		a.render(c, http.StatusUnprocessableEntity, "profile", v)
		return
	}
	a.setFlash(c, "flash.email_change_sent")
	c.Redirect(http.StatusSeeOther, "/profile")
}

type emailConfirmPage struct {
	Token, NewEmail string
}

// emailChangeForm asks for a click before the address changes: a mail scanner that opens
// every link must not confirm anything by opening it.
func (a *App) emailChangeForm(c *gin.Context) {
	noReferrer(c)
	token := c.Query("token")
	email, err := a.Store.CheckEmailChange(c.Request.Context(), token, a.now())
	if !a.emailLinkUsable(c, err) {
		return
	}
	a.render(c, http.StatusOK, "email_confirm", a.newView(c, emailConfirmPage{Token: token, NewEmail: email}))
}

func (a *App) confirmEmailChange(c *gin.Context) {
	noReferrer(c)
	token := c.PostForm("token")
	if _, bad := inputErrors(c)["token"]; bad {
		a.emailLinkUsable(c, courses.ErrNotFound)
		return
	}
	ctx := c.Request.Context()
	u, oldEmail, err := a.Store.ConfirmEmailChange(ctx, token, a.now())
	if errors.Is(err, courses.ErrConflict) {
		a.renderError(c, http.StatusConflict, "email_confirm.taken_title", "email_confirm.taken_message")
		return
	}
	if !a.emailLinkUsable(c, err) {
		return
	}
	// The browsers the sign-in throttle trusted were the old address's; and the address shows
	// on the account's pages (each forgotten whether or not the other could be).
	if err := errors.Join(a.Limiter.ForgetDevices(ctx, oldEmail), a.SignIns.ForgetUser(ctx, u.ID)); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.email_changed")
	if me := currentUser(c); me != nil && me.ID == u.ID {
		c.Redirect(http.StatusSeeOther, "/profile")
		return
	}
	c.Redirect(http.StatusSeeOther, "/login")
}

func (a *App) emailLinkUsable(c *gin.Context, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, courses.ErrNotFound):
		a.renderError(c, http.StatusNotFound, "email_confirm.invalid_title", "email_confirm.invalid_message")
	case store.Unavailable(err):
		_ = c.Error(err)
		c.Header("Retry-After", retryAfterSeconds)
		a.renderError(c, http.StatusServiceUnavailable, "password_link.unavailable_title", "password_link.unavailable_message")
	default:
		a.fail(c, err)
	}
	return false
}
