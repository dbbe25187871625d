package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// enrolment is the signed-in user's place in a course, for the course and lesson pages.
type enrolment struct {
	courses.Enrolment
	Enrolled bool // live: active, waiting or pending
}

func (a *App) enrolmentOf(c *gin.Context, co courses.Course) (enrolment, error) {
	u := currentUser(c)
	if u == nil {
		return enrolment{}, nil
	}
	e, err := a.Store.EnrolmentIn(c.Request.Context(), u.ID, co.ID)
	if errors.Is(err, courses.ErrNotFound) {
		return enrolment{}, nil
	}
	if err != nil {
		return enrolment{}, err
	}
	return enrolment{Enrolment: e, Enrolled: true}, nil
}

// canRead says whether the user may open the course's lessons: enrolled and active, or editing it.
func canRead(u *courses.User, co courses.Course, e enrolment) bool {
	return co.CanEdit(u) || (e.Enrolled && e.Status == courses.EnrolmentActive)
}

// enrol puts the signed-in trainee in the cohort they chose, as its policy says.
func (a *App) enrol(c *gin.Context) {
	co, ok := a.publishedCourse(c)
	if !ok {
		return
	}
	cohortID, err := strconv.ParseInt(c.PostForm("cohort"), 10, 64)
	if err != nil {
		a.notFound(c)
		return
	}
	cohort, err := a.Store.Cohort(c.Request.Context(), co.ID, cohortID)
	if err != nil {
		a.fail(c, err)
		return
	}
	back := "/courses/" + co.Slug + "#enrol"
	if l := c.PostForm("lang"); courses.ValidLanguage(l) {
		back = "/courses/" + co.Slug + "?lang=" + l + "#enrol" // back to the language the trainee was reading
	}
	if cohort.Policy == courses.PolicyKey {
		wait, err := a.Limiter.AllowEnrolKey(c.Request.Context(), currentUser(c).ID)
		if err != nil {
			a.fail(c, err)
			return
		}
		if wait > 0 {
			a.setFlash(c, "flash.error.key_throttled")
			c.Redirect(http.StatusSeeOther, back)
			return
		}
	}
	status, err := a.Store.Enrol(c.Request.Context(), currentUser(c).ID, cohortID, c.PostForm("key"), a.now())
	switch {
	case errors.Is(err, store.ErrWrongKey):
		a.setFlash(c, "flash.error.wrong_key")
	case errors.Is(err, store.ErrCohortClosed):
		a.setFlash(c, "flash.error.cohort_closed")
	case errors.Is(err, store.ErrAlreadyEnroled):
		a.setFlash(c, "flash.error.already_enrolled")
	case err != nil:
		a.fail(c, err)
		return
	default:
		a.setFlash(c, "flash.enrolled_"+string(status))
	}
	c.Redirect(http.StatusSeeOther, back)
}

func (a *App) withdraw(c *gin.Context) {
	co, ok := a.publishedCourse(c)
	if !ok {
		return
	}
	e, err := a.enrolmentOf(c, co)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !e.Enrolled {
		a.notFound(c)
		return
	}
	if err := a.Store.Withdraw(c.Request.Context(), currentUser(c).ID, e.CohortID); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.withdrawn")
	c.Redirect(http.StatusSeeOther, "/courses/"+co.Slug)
}

// lessonDone marks a lesson done. With JavaScript the page calls it when the reader reaches
// the end of the lesson (204); the button posts it and goes on to the next lesson.
func (a *App) lessonDone(c *gin.Context) {
	co, ok := a.publishedCourse(c)
	if !ok {
		return
	}
	_, lesson, _, next, found := a.lessonOf(c, co)
	if !found {
		a.notFound(c)
		return
	}
	e, err := a.enrolmentOf(c, co)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !e.Enrolled || e.Status != courses.EnrolmentActive {
		a.forbidden(c)
		return
	}
	complete, err := a.Store.CompleteLesson(c.Request.Context(), currentUser(c).ID, lesson.ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	if c.GetHeader("X-Aula-Autosave") != "" {
		c.Status(http.StatusNoContent)
		return
	}
	switch {
	case complete && e.CompletedAt == nil:
		a.setFlash(c, "flash.course_completed")
		c.Redirect(http.StatusSeeOther, "/learning")
	case next.ID != 0:
		c.Redirect(http.StatusSeeOther, "/courses/"+co.Slug+"/lessons/"+strconv.FormatInt(next.ID, 10))
	default:
		c.Redirect(http.StatusSeeOther, "/courses/"+co.Slug)
	}
}

func (a *App) learning(c *gin.Context) {
	l, err := a.Store.MyLearning(c.Request.Context(), currentUser(c).ID, a.now())
	if err != nil {
		a.fail(c, err)
		return
	}
	a.render(c, http.StatusOK, "learning", a.newView(c, l))
}

func (a *App) checkInForm(c *gin.Context) {
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"code": c.Query("code")}}
	a.render(c, http.StatusOK, "checkin", v)
}

// checkIn records a trainee present with the code shown in the room. Attempts are limited,
// so that six digits cannot be guessed.
func (a *App) checkIn(c *gin.Context) {
	u := currentUser(c)
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"code": c.PostForm("code")}, Errors: courses.FieldErrors{}}
	wait, err := a.Limiter.AllowCheckIn(c.Request.Context(), u.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	if wait > 0 {
		v.Form.Errors["code"] = "error.checkin.throttled"
		a.render(c, http.StatusTooManyRequests, "checkin", v)
		return
	}
	_, err = a.Store.CheckIn(c.Request.Context(), u.ID, c.PostForm("code"), a.now())
	switch {
	case errors.Is(err, courses.ErrCheckInClosed):
		v.Form.Errors["code"] = "error.checkin.closed"
	case errors.Is(err, courses.ErrCheckInCode):
		v.Form.Errors["code"] = "error.checkin.code"
	case err != nil:
		a.fail(c, err)
		return
	}
	if len(v.Form.Errors) > 0 {
		a.render(c, http.StatusUnprocessableEntity, "checkin", v)
		return
	}
	a.setFlash(c, "flash.checked_in")
	c.Redirect(http.StatusSeeOther, "/learning")
}

func (a *App) setPasswordForm(c *gin.Context) {
	token := c.Query("token")
	if !a.passwordLinkUsable(c, a.Store.CheckPasswordLink(c.Request.Context(), token, a.now())) {
		return
	}
	v := a.newView(c, nil)
	v.Form = &form{Values: map[string]string{"token": token}}
	a.render(c, http.StatusOK, "set_password", v)
}

// passwordLinkUsable answers for a link that cannot be used: a link not found is invalid,
// but a database that did not answer says nothing of the link, and the page says so.
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

// setPassword spends a one-time link: the account gets its password, every other sign-in of
// the account ends and this browser is signed in. Attempts are limited per address, and
// the link is checked before the password is hashed.
func (a *App) setPassword(c *gin.Context) {
	ctx := c.Request.Context()
	token := c.PostForm("token")
	password := c.PostForm("password")
	wait, err := a.Limiter.AllowPasswordLink(ctx, c.ClientIP())
	if err != nil {
		a.fail(c, err)
		return
	}
	if wait > 0 {
		a.throttled(c, wait)
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
	u, err := a.Store.UsePasswordLink(ctx, token, password, a.now(), func(userID int64) error {
		return a.SignIns.DestroyAll(ctx, userID)
	})
	if !a.passwordLinkUsable(c, err) {
		return
	}
	if err := a.startSignIn(c, u.ID); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.password_set")
	c.Redirect(http.StatusSeeOther, "/learning")
}
