package handlers

import (
	"errors"
	"math"
	"net/http"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// The second step of signing in: after the right password, an account with a second factor
// waits here for a code from its authenticator app or a recovery code. Until then the
// browser holds only the second step's cookie, which signs nobody in.

// secondStepCookie holds the token of the sign-in waiting for its code (store.SecondStep).
const secondStepCookie = "aula_second_step"

// beginSecondStep keeps the sign-in of u halfway and sends the browser to the code page.
func (a *App) beginSecondStep(c *gin.Context, u courses.User, email, next string) {
	token, err := a.SignIns.StartSecondStep(c.Request.Context(), store.SecondStep{UserID: u.ID, Email: email, Next: next})
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setCookie(c, secondStepCookie, token, int(store.SecondStepTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, "/login/code")
}

// secondStep reads the sign-in this browser has waiting; with none (never begun, used, or
// expired) it sends the browser back to the password and says false.
func (a *App) secondStep(c *gin.Context) (store.SecondStep, string, bool) {
	cookie, err := c.Request.Cookie(a.cookieName(secondStepCookie))
	if err != nil || cookie.Value == "" {
		c.Redirect(http.StatusSeeOther, "/login")
		return store.SecondStep{}, "", false
	}
	step, err := a.SignIns.SecondStep(c.Request.Context(), cookie.Value)
	if errors.Is(err, courses.ErrNotFound) {
		a.clearCookie(c, secondStepCookie)
		a.setFlash(c, "flash.error.login_code_expired")
		c.Redirect(http.StatusSeeOther, "/login")
		return store.SecondStep{}, "", false
	}
	if err != nil {
		a.fail(c, err)
		return store.SecondStep{}, "", false
	}
	return step, cookie.Value, true
}

func (a *App) loginCodeForm(c *gin.Context) {
	if _, _, ok := a.secondStep(c); !ok {
		return
	}
	v := a.newView(c, nil)
	v.Form = &form{}
	a.render(c, http.StatusOK, "login_code", v)
}

// loginCode checks the code. Wrong codes are limited per account (store.SecondFactorTries),
// apart from the password's limits: only someone who knew the password gets this far.
func (a *App) loginCode(c *gin.Context) {
	step, token, ok := a.secondStep(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	v := a.newView(c, nil)
	v.Form = &form{Errors: courses.FieldErrors{}} // a code with characters no app shows is refused whole (checkInput)
	wait, err := a.Limiter.AllowSecondFactor(ctx, step.UserID)
	if err != nil {
		a.fail(c, err)
		return
	}
	if wait > 0 {
		c.Header("Retry-After", itoa(int(math.Ceil(wait.Seconds()))))
		v.Data = loginPage{Problem: "login.throttled", Minutes: int(math.Ceil(wait.Minutes()))}
		a.render(c, http.StatusTooManyRequests, "login_code", v)
		return
	}
	recovery, err := a.Store.VerifySecondFactor(ctx, step.UserID, c.PostForm("code"), a.now())
	switch {
	case errors.Is(err, courses.ErrWrongCode):
		v.Form.Errors["code"] = courses.ErrWrongCode.Error()
		a.render(c, http.StatusUnauthorized, "login_code", v)
		return
	case errors.Is(err, courses.ErrNotFound):
		// The second factor was reset meanwhile: the password alone decides now, once more.
		if err := a.SignIns.EndSecondStep(ctx, token); err != nil {
			a.fail(c, err)
			return
		}
		a.clearCookie(c, secondStepCookie)
		c.Redirect(http.StatusSeeOther, "/login")
		return
	case err != nil:
		a.fail(c, err)
		return
	}
	if err := a.Limiter.SecondFactorSucceeded(ctx, step.UserID); err != nil {
		a.fail(c, err)
		return
	}
	if err := a.SignIns.EndSecondStep(ctx, token); err != nil {
		a.fail(c, err)
		return
	}
	a.clearCookie(c, secondStepCookie)
	// Deactivated since the password was typed: no sign-in (loadSignIn would end it anyway).
	if u, err := a.Store.User(ctx, step.UserID); err != nil || !u.Active {
		if err != nil && !errors.Is(err, courses.ErrNotFound) {
			a.fail(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	if recovery {
		a.setFlash(c, "flash.recovery_code_used")
	}
	a.finishSignIn(c, step.Email, step.UserID, step.Next)
}
