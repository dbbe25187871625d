package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

func itoa(n int) string { return strconv.Itoa(n) }

func profileOf(u *courses.User) courses.Profile {
	return courses.Profile{FullName: u.FullName, Email: u.Email, Country: u.Country, Institution: u.Institution,
		Sector: string(u.Sector), Gender: string(u.Gender), Language: u.Language}
}

func (a *App) profileForm(c *gin.Context) {
	v := a.newView(c, nil)
	v.Form = &form{Values: profileValues(profileOf(v.User))}
	a.render(c, http.StatusOK, "profile", v)
}

func (a *App) updateProfile(c *gin.Context) {
	u := currentUser(c)
	p := profileFromForm(c)
	p.Email = u.Email // the address is the account; it does not change here
	p = p.Clean()
	if errs := withInputErrors(c, p.Validate()); len(errs) > 0 {
		v := a.newView(c, nil)
		v.Form = &form{Values: profileValues(p), Errors: errs}
		a.render(c, http.StatusUnprocessableEntity, "profile", v)
		return
	}
	if err := a.Store.UpdateProfile(c.Request.Context(), u.ID, p); err != nil {
		a.fail(c, err)
		return
	}
	if err := a.SignIns.ForgetUser(c.Request.Context(), u.ID); err != nil { // every device's next page reads the row anew
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.profile_saved")
	c.Redirect(http.StatusSeeOther, "/profile")
}

// changePassword ends every other sign-in of the user, forgets the browsers the account
// knew, and gives this browser a new sign-in.
func (a *App) changePassword(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	current, next := c.PostForm("current_password"), c.PostForm("new_password")
	errs := inputErrors(c)
	if msg := courses.ValidatePassword(next); msg != "" {
		errs["new_password"] = msg
	}
	if courses.CheckLine(current, courses.PasswordMaxLength) != "" {
		errs["current_password"] = "error.current_password.wrong" // no password is that; no hash to learn it
	}
	if len(errs) == 0 {
		err := a.Store.ChangePassword(ctx, u.ID, current, next)
		switch {
		case errors.Is(err, courses.ErrForbidden):
			errs["current_password"] = "error.current_password.wrong"
		case err != nil:
			a.fail(c, err)
			return
		}
	}
	if len(errs) > 0 {
		v := a.newView(c, nil)
		v.Form = &form{Values: profileValues(profileOf(u)), Errors: errs}
		a.render(c, http.StatusUnprocessableEntity, "profile", v)
		return
	}
	if err := a.endSignIns(ctx, *u); err != nil {
		a.fail(c, err)
		return
	}
	if err := a.startSignIn(c, u.ID); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.password_changed")
	c.Redirect(http.StatusSeeOther, "/profile")
}
