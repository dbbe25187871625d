package handlers

import (
	"errors"
	"math"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"
)

// A staff member's own two-factor page: set up with a QR code or the secret typed by hand,
// confirmed with a first code; then new recovery codes, or turning it off where the role
// allows. Every change asks for a current code and is limited like the code at sign-in.

const twoFactorPath = "/account/two-factor"

type twoFactorPage struct {
	Status   courses.TwoFactor
	Key      courses.TOTPKey // the secret to add to the app, while it is off
	Codes    []string        // recovery codes just made, as shown: once, never again
	Required bool            // the role requires a second factor: it cannot be turned off
}

func (a *App) twoFactorPage(c *gin.Context) { a.showTwoFactor(c, http.StatusOK, nil, nil) }

// showTwoFactor renders the page as it stands, with f's errors and the recovery codes just made.
func (a *App) showTwoFactor(c *gin.Context, status int, f *form, codes []string) {
	ctx := c.Request.Context()
	u := currentUser(c)
	tf, err := a.Store.TwoFactor(ctx, u.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := twoFactorPage{Status: tf, Required: a.Config.TwoFactorRequired.Requires(u.Role)}
	for _, code := range codes {
		data.Codes = append(data.Codes, courses.FormatRecoveryCode(code))
	}
	if !tf.On {
		if data.Key, err = a.Store.StartTwoFactor(ctx, *u, a.now()); err != nil {
			a.fail(c, err)
			return
		}
	}
	v := a.newView(c, data)
	v.Form = f
	c.Header("Cache-Control", "no-store") // the secret and the codes stay out of every cache
	a.render(c, status, "two_factor", v)
}

// twoFactorQR is the QR code of the secret being set up, for the app's camera.
func (a *App) twoFactorQR(c *gin.Context) {
	key, err := a.Store.PendingTwoFactor(c.Request.Context(), *currentUser(c), a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	png, err := qrcode.Encode(key.URL, qrcode.Medium, 256)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "image/png", png)
}

// codeChange runs change with the code typed in field, once the account's limit allows a
// try; a wrong or expired code shows the page again with the reason beside the field. It
// says whether change succeeded (the caller answers then).
func (a *App) codeChange(c *gin.Context, field string, change func(code string) error) bool {
	u := currentUser(c)
	if errs := inputErrors(c); errs[field] != "" {
		a.showTwoFactor(c, http.StatusUnprocessableEntity, &form{Errors: courses.FieldErrors{field: errs[field]}}, nil)
		return false
	}
	wait, err := a.Limiter.AllowSecondFactor(c.Request.Context(), u.ID)
	if err != nil {
		a.fail(c, err)
		return false
	}
	if wait > 0 {
		c.Header("Retry-After", itoa(int(math.Ceil(wait.Seconds()))))
		a.renderError(c, http.StatusTooManyRequests, "error.throttled.title", "error.two_factor.throttled")
		return false
	}
	err = change(c.PostForm(field))
	switch {
	case errors.Is(err, courses.ErrWrongCode), errors.Is(err, courses.ErrEnrolmentExpired):
		key := courses.ErrWrongCode.Error()
		if errors.Is(err, courses.ErrEnrolmentExpired) {
			key = courses.ErrEnrolmentExpired.Error()
		}
		a.showTwoFactor(c, http.StatusUnprocessableEntity, &form{Errors: courses.FieldErrors{field: key}}, nil)
		return false
	case errors.Is(err, courses.ErrNotFound), errors.Is(err, courses.ErrConflict):
		c.Redirect(http.StatusSeeOther, twoFactorPath) // turned on or off meanwhile, in another tab
		return false
	case err != nil:
		a.fail(c, err)
		return false
	}
	if err := a.Limiter.SecondFactorSucceeded(c.Request.Context(), u.ID); err != nil {
		a.fail(c, err)
		return false
	}
	return true
}

// confirmTwoFactor turns the second factor on with the first code from the app, shows the
// recovery codes, and ends the account's other sign-ins, which only had the password.
func (a *App) confirmTwoFactor(c *gin.Context) {
	u := currentUser(c)
	var codes []string
	if !a.codeChange(c, "code", func(code string) (err error) {
		codes, err = a.Store.ConfirmTwoFactor(c.Request.Context(), actor(c), u.ID, code, a.now())
		return err
	}) {
		return
	}
	if err := a.SignIns.DestroyAll(c.Request.Context(), u.ID); err != nil {
		a.fail(c, err)
		return
	}
	if err := a.startSignIn(c, u.ID); err != nil {
		a.fail(c, err)
		return
	}
	a.showTwoFactor(c, http.StatusOK, nil, codes)
}

// isOn answers 404 for an account without a second factor: nothing to renew or turn off.
func (a *App) isOn(c *gin.Context) bool {
	tf, err := a.Store.TwoFactor(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		a.fail(c, err)
		return false
	}
	if !tf.On {
		a.notFound(c)
	}
	return tf.On
}

func (a *App) renewRecoveryCodes(c *gin.Context) {
	u := currentUser(c)
	if !a.isOn(c) {
		return
	}
	var codes []string
	if !a.codeChange(c, "renew_code", func(code string) (err error) {
		codes, err = a.Store.RenewRecoveryCodes(c.Request.Context(), actor(c), u.ID, code, a.now())
		return err
	}) {
		return
	}
	a.showTwoFactor(c, http.StatusOK, nil, codes)
}

func (a *App) turnOffTwoFactor(c *gin.Context) {
	u := currentUser(c)
	if a.Config.TwoFactorRequired.Requires(u.Role) {
		a.forbidden(c)
		return
	}
	if !a.isOn(c) {
		return
	}
	if !a.codeChange(c, "off_code", func(code string) error {
		return a.Store.DisableTwoFactor(c.Request.Context(), actor(c), u.ID, code, a.now())
	}) {
		return
	}
	a.setFlash(c, "flash.two_factor_off")
	c.Redirect(http.StatusSeeOther, twoFactorPath)
}

// resetTwoFactor is an admin removing another user's second factor (a lost phone): it is
// recorded in the audit trail, and the user's sign-ins end, to sign in again with the
// password alone (and, where the role requires one, set up a new second factor).
func (a *App) resetTwoFactor(c *gin.Context) {
	a.changeUser(c, func(id int64) (string, error) {
		removed, err := a.Store.ResetTwoFactor(c.Request.Context(), actor(c), id)
		if err != nil || !removed {
			return "flash.two_factor_none", err
		}
		return "flash.two_factor_reset", a.SignIns.DestroyAll(c.Request.Context(), id)
	})
}

// requireTwoFactor keeps an account whose role requires a second factor, and has none yet,
// on its set-up page: it may sign out and switch language, and nothing else.
func (a *App) requireTwoFactor(c *gin.Context) {
	u := currentUser(c)
	if u == nil || !a.Config.TwoFactorRequired.Requires(u.Role) {
		c.Next()
		return
	}
	switch c.FullPath() {
	case twoFactorPath, twoFactorPath + "/qr.png", "/logout", "/language", "/static/*path", "/healthz", "/readyz":
		c.Next()
		return
	}
	tf, err := a.Store.TwoFactor(c.Request.Context(), u.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !tf.On {
		c.Redirect(http.StatusSeeOther, twoFactorPath)
		c.Abort()
		return
	}
	c.Next()
}
