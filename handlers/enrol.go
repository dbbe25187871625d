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
// checkIn records a trainee present with the code shown in the room. Attempts are limited,
// so that six digits cannot be guessed.
// passwordLinkUsable answers for a link that cannot be used: a link not found is invalid,
// but a database that did not answer says nothing of the link, and the page says so.
// setPassword spends a one-time link: the account gets its password, every other sign-in of
// the account ends and this browser is signed in. Attempts are limited per address, and
// the link is checked before the password is hashed.
