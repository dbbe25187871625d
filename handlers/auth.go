package handlers

import (
	"context"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

func profileFromForm(c *gin.Context) courses.Profile {
	return courses.Profile{
		FullName:    c.PostForm("full_name"),
		Email:       c.PostForm("email"),
		Country:     c.PostForm("country"),
		Institution: c.PostForm("institution"),
		Sector:      c.PostForm("sector"),
		Gender:      c.PostForm("gender"),
		Language:    c.PostForm("language"),
	}
}

func profileValues(p courses.Profile) map[string]string {
	return map[string]string{
		"full_name": shown(p.FullName), "email": shown(p.Email), "country": shown(p.Country), "institution": shown(p.Institution),
		"sector": shown(p.Sector), "gender": shown(p.Gender), "language": shown(p.Language),
	}
}

func (a *App) registerForm(c *gin.Context) {
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"language": v.Lang}}
	a.render(c, http.StatusOK, "register", v)
}

// register answers the same way whether or not the email already has an account, so that
// nobody can learn who studies at Aula. Both paths hash a password, so they take as long;
// the hashing is limited per address.
func (a *App) register(c *gin.Context) {
	p := profileFromForm(c).Clean()
	password := c.PostForm("password")
	errs := p.Validate()
	if msg := courses.ValidatePassword(password); msg != "" {
		errs["password"] = msg
	}
	if errs = withInputErrors(c, errs); len(errs) > 0 {
		v := a.newView(c, nil)
		v.Form = &form{Values: profileValues(p), Errors: errs}
		a.render(c, http.StatusUnprocessableEntity, "register", v)
		return
	}
	if !a.allowedFromAddress(c, a.Limiter.AllowRegister) {
		return
	}
	_, err := a.Store.CreateUser(c.Request.Context(), p, password, courses.RoleTrainee)
	if err != nil && !errors.Is(err, courses.ErrConflict) {
		a.fail(c, err)
		return
	}
	if currentUser(c) == nil {
		a.setCookie(c, langCookie, p.Language, 365*24*3600)
	}
	a.setFlash(c, "flash.registered")
	c.Redirect(http.StatusSeeOther, "/login")
}

func (a *App) loginForm(c *gin.Context) {
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"next": safeNext(c.Query("next"))}}
	a.render(c, http.StatusOK, "login", v)
}

func (a *App) login(c *gin.Context) {
	ctx := c.Request.Context()
	email := courses.NormalizeEmail(c.PostForm("email"))
	password := c.PostForm("password")
	next := "/"
	if _, bad := inputErrors(c)["next"]; !bad {
		next = safeNext(c.PostForm("next"))
	}
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"email": shown(email), "next": next}, Errors: courses.FieldErrors{}}

	// What can never be an account's address or password is refused before it costs a
	// Redis key or a hash. A garbled "next" only sends the user home.
	switch courses.CheckLine(email, courses.MaxEmailLength) {
	case courses.KeyBadCharacters:
		v.Form.Errors["email"] = courses.KeyBadCharacters
	case courses.KeyTooLong:
		v.Form.Errors["email"] = "error.email.too_long"
	}
	switch courses.CheckLine(password, courses.PasswordMaxLength) {
	case courses.KeyBadCharacters:
		v.Form.Errors["password"] = courses.KeyBadCharacters
	case courses.KeyTooLong:
		v.Form.Errors["password"] = "error.password.too_long"
	}
	// Normalising hides some bad input (lower-casing turns broken bytes into U+FFFD): what
	// checkInput found in the raw fields wins.
	for _, field := range []string{"email", "password"} {
		if msg := inputErrors(c)[field]; msg != "" {
			v.Form.Errors[field] = msg
		}
	}
	if len(v.Form.Errors) > 0 {
		a.render(c, http.StatusUnprocessableEntity, "login", v)
		return
	}

	wait, err := a.Limiter.AllowLogin(ctx, email, c.ClientIP(), a.deviceToken(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	if wait > 0 {
		minutes := int(math.Ceil(wait.Minutes()))
		c.Header("Retry-After", itoa(int(math.Ceil(wait.Seconds()))))
		v.Data = loginPage{Problem: "login.throttled", Minutes: minutes}
		a.render(c, http.StatusTooManyRequests, "login", v)
		return
	}
	u, err := a.Store.Authenticate(ctx, email, password)
	if errors.Is(err, courses.ErrNotFound) {
		v.Data = loginPage{Problem: "login.failed"}
		a.render(c, http.StatusUnauthorized, "login", v)
		return
	}
	if err != nil {
		a.loginUnjudged(c, email, err)
		return
	}
	// An account with a second factor is not signed in yet: the code comes first (login_code.go).
	tf, err := a.Store.TwoFactor(ctx, u.ID)
	if err != nil {
		a.loginUnjudged(c, email, err)
		return
	}
	if tf.On {
		a.beginSecondStep(c, u, email, next)
		return
	}
	if a.Config.TwoFactorRequired.Requires(u.Role) {
		next = twoFactorPath // nothing else opens until it is set up (requireTwoFactor)
	}
	a.finishSignIn(c, email, u.ID, next)
}

// loginUnjudged answers a sign-in that failed before its password was judged (PostgreSQL
// away): the attempt is given back to the limits, which count wrong passwords only. Any
// other failure keeps what it took.
func (a *App) loginUnjudged(c *gin.Context, email string, err error) {
	if !store.Unavailable(err) {
		a.fail(c, err)
		return
	}
	if gerr := a.Limiter.LoginAbandoned(context.WithoutCancel(c.Request.Context()), email, c.ClientIP(), a.deviceToken(c)); gerr != nil {
		_ = c.Error(gerr)
	}
	a.fail(c, err)
}

// finishSignIn signs userID in once every factor is right: the failures of the account
// from this browser are cleared and the browser known to it, as LoginSucceeded says.
func (a *App) finishSignIn(c *gin.Context, email string, userID int64, next string) {
	device, err := a.Limiter.LoginSucceeded(c.Request.Context(), email, c.ClientIP(), a.deviceToken(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setCookie(c, deviceCookie, device, int(store.DeviceTrust.Seconds()))
	// A new session id at every sign-in: a token planted before sign-in is worth nothing after.
	if err := a.startSignIn(c, userID); err != nil {
		a.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, next)
}

// deviceToken is the browser's device cookie (store.LoginLimits), or "".
func (a *App) deviceToken(c *gin.Context) string {
	if cookie, err := c.Request.Cookie(a.cookieName(deviceCookie)); err == nil {
		return cookie.Value
	}
	return ""
}

// allowedFromAddress takes one attempt from the client's address out of a limit; when the
// limit is reached (429) or cannot be read (503), it answers the request and says false.
func (a *App) allowedFromAddress(c *gin.Context, allow func(context.Context, string) (time.Duration, error)) bool {
	wait, err := allow(c.Request.Context(), c.ClientIP())
	if err != nil {
		a.fail(c, err)
		return false
	}
	if wait > 0 {
		a.throttled(c, wait)
		return false
	}
	return true
}

// throttled answers a request refused by a limit with the 429 page and when to come back.
func (a *App) throttled(c *gin.Context, wait time.Duration) {
	c.Header("Retry-After", itoa(int(math.Ceil(wait.Seconds()))))
	a.renderError(c, http.StatusTooManyRequests, "error.throttled.title", "error.throttled.message")
}

type loginPage struct {
	Problem string
	Minutes int
}

// startSignIn ends the browser's current sign-in, if any, and starts a new one for userID.
func (a *App) startSignIn(c *gin.Context, userID int64) error {
	ctx := c.Request.Context()
	if old, err := c.Request.Cookie(a.cookieName(signInCookie)); err == nil && old.Value != "" {
		if err := a.SignIns.Destroy(ctx, old.Value); err != nil {
			return err
		}
	}
	token, err := a.SignIns.Create(ctx, userID)
	if err != nil {
		return err
	}
	// Session cookie: no Max-Age, so it ends with the browser; Redis enforces the timeouts.
	a.setCookie(c, signInCookie, token, 0)
	return nil
}

func (a *App) logout(c *gin.Context) {
	if token := c.GetString(ctxToken); token != "" {
		if err := a.SignIns.Destroy(c.Request.Context(), token); err != nil {
			a.fail(c, err)
			return
		}
	}
	a.clearCookie(c, signInCookie)
	a.setFlash(c, "flash.signed_out")
	c.Redirect(http.StatusSeeOther, "/")
}

// setLanguage is the language switcher: remembered in the profile when signed in, else in a cookie.
func (a *App) setLanguage(c *gin.Context) {
	lang := c.PostForm("lang")
	next := safeNext(c.PostForm("next"))
	if !courses.ValidLanguage(lang) {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	if u := currentUser(c); u != nil {
		if err := a.Store.SetLanguage(c.Request.Context(), u.ID, lang); err != nil {
			a.fail(c, err)
			return
		}
		if err := a.SignIns.ForgetUser(c.Request.Context(), u.ID); err != nil {
			a.fail(c, err)
			return
		}
	}
	a.setCookie(c, langCookie, lang, 365*24*3600)
	c.Redirect(http.StatusSeeOther, next)
}
