package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// A quiz's page for trainees (its rules, their attempts, "start" or "continue") and the start
// of an attempt. The attempt itself is in attempts.go.

type quizPage struct {
	Course       courses.LocalCourse
	Quiz         courses.Quiz
	Title        string
	TitleLang    string
	URL          string // the quiz's page
	Attempts     []attemptLine
	InProgress   int64 // the attempt in progress, 0 when none
	CanStart     bool
	AttemptsLeft int // -1: no limit
	Closed       bool
	NotOpenYet   bool
	Minutes      int    // the time limit
	Query        string // "?lang=..." when the course is read in another language than the pages'
	Now          time.Time
}

type attemptLine struct {
	courses.Attempt
	Percent     float64
	ShowScore   bool // the review policy shows marks now
	ReviewURL   string
	ContinueURL string
}

// quizTitle is the quiz's title in lang, falling back as lessons do.
func quizTitle(titles map[string]string, lang, def string) (string, string) {
	return courses.Pick(titles, lang, def)
}

// traineeCourse reads the course for a quiz's pages and checks the reader may take its
// quizzes: enrolled and active, or one of its editors trying it.
func (a *App) traineeCourse(c *gin.Context) (store.CoursePage, bool) {
	p, ok := a.readCourse(c, c.Param("slug"), 0, false)
	if !ok {
		return p, false
	}
	e := enrolment{Enrolment: p.Enrolment, Enrolled: p.Enrolled}
	if !(e.Enrolled && e.Status == courses.EnrolmentActive) {
		a.renderError(c, http.StatusForbidden, "error.not_enrolled.title", "error.not_enrolled.message")
		return p, false
	}
	return p, true
}

func (a *App) quizPage(c *gin.Context) {
	quizID, ok := paramID(c, "quiz")
	if !ok {
		a.notFound(c)
		return
	}
	p, ok := a.traineeCourse(c)
	if !ok {
		return
	}
	u := currentUser(c)
	qp, err := a.Store.QuizPage(c.Request.Context(), p.Course.ID, quizID, u.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	now := a.now()
	lc := courses.Localize(p.Course, a.readingLanguage(c))
	data := quizPage{Course: lc, Quiz: qp.Quiz, URL: c.Request.URL.Path, Now: now, AttemptsLeft: -1}
	if lc.Language != a.lang(c) {
		data.Query = "?lang=" + lc.Language // the attempt starts in the language the course is read in
	}
	data.Title, data.TitleLang = quizTitle(qp.Quiz.Titles, lc.Language, p.Course.DefaultLanguage)
	s := qp.Quiz.Settings
	data.Minutes = int(s.TimeLimit.Minutes())
	for _, at := range qp.Attempts {
		line := attemptLine{Attempt: at, Percent: courses.Percent(at.Score, at.Max)}
		base := "/courses/" + p.Course.Slug + "/attempts/" + strconv.FormatInt(at.ID, 10)
		if at.Finished() {
			line.ShowScore = courses.ReviewShows(s, true, now).Correctness
			line.ReviewURL = base + "/review"
		} else {
			data.InProgress = at.ID
			line.ContinueURL = base
		}
		data.Attempts = append(data.Attempts, line)
	}
	switch err := courses.QuizOpen(s, now); {
	case errors.Is(err, courses.ErrQuizNotOpenYet):
		data.NotOpenYet = true
	case err != nil:
		data.Closed = true
	}
	if s.Attempts > 0 {
		data.AttemptsLeft = max(s.Attempts+qp.ExtraAttempts-len(qp.Attempts), 0)
	}
	data.CanStart = data.InProgress == 0 && !data.Closed && !data.NotOpenYet && courses.CanStart(s, len(qp.Attempts), qp.ExtraAttempts)
	a.render(c, http.StatusOK, "quiz", a.newView(c, data))
}

// startAttempt starts an attempt, or continues the one in progress, and goes to it.
func (a *App) startAttempt(c *gin.Context) {
	quizID, ok := paramID(c, "quiz")
	if !ok {
		a.notFound(c)
		return
	}
	// A published course's start checks the course and the enrolment in its own read; any
	// other course is checked the course page's way first (its editors may see it).
	slug := c.Param("slug")
	id, err := a.Store.StartAttemptAt(c.Request.Context(), currentUser(c).ID, slug, quizID, a.readingLanguage(c), a.now())
	switch {
	case errors.Is(err, store.ErrNotEnroled):
		a.renderError(c, http.StatusForbidden, "error.not_enrolled.title", "error.not_enrolled.message")
		return
	case errors.Is(err, store.ErrNotPublished):
		p, ok := a.traineeCourse(c)
		if !ok {
			return
		}
		lang := courses.Localize(p.Course, a.readingLanguage(c)).Language
		id, err = a.Store.StartAttempt(c.Request.Context(), currentUser(c).ID, p.Course.ID, quizID, lang, a.now())
	}
	back := "/courses/" + slug + "/quizzes/" + strconv.FormatInt(quizID, 10)
	switch {
	case errors.Is(err, store.ErrNoAttemptsLeft):
		a.setFlash(c, "flash.error.quiz_no_attempts")
	case errors.Is(err, courses.ErrQuizNotOpenYet):
		a.setFlash(c, "flash.error.quiz_not_open")
	case errors.Is(err, courses.ErrQuizClosed):
		a.setFlash(c, "flash.error.quiz_closed")
	case errors.Is(err, store.ErrTooFewQuestions), errors.Is(err, courses.ErrInvalid):
		a.setFlash(c, "flash.error.quiz_not_ready")
	case err != nil:
		a.fail(c, err)
		return
	default:
		c.Redirect(http.StatusSeeOther, "/courses/"+slug+"/attempts/"+strconv.FormatInt(id, 10))
		return
	}
	c.Redirect(http.StatusSeeOther, back)
}
