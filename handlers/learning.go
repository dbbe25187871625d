package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// Learning: marking lessons done and "My learning".

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
	lang := a.lang(c)
	page := learningPage{Current: learningRows(l.Current, lang), Waiting: learningRows(l.Waiting, lang),
		Completed: learningRows(l.Completed, lang)}
	for _, s := range l.Upcoming {
		lc := courses.Localize(l.Titles[s.CourseID], lang)
		page.Upcoming = append(page.Upcoming, upcomingRow{UpcomingSession: s, Title: lc.Title, TitleLang: lc.Language})
	}
	a.render(c, http.StatusOK, "learning", a.newView(c, page))
}

// learningPage is "My learning" with each course's title already in the page's language (or
// the course's own): a call per course from the template cost more than the rest of its card.
type learningPage struct {
	Current, Waiting, Completed []learningRow
	Upcoming                    []upcomingRow
}

// learningRow is one course's card, flat: html/template looks every field up by name, by
// reflection, through each embedded struct on the way, and a card has a dozen of them.
type learningRow struct {
	ID               int64 // the course's
	Slug             string
	Title, TitleLang string
	Percent          int
	ResumeID         int64
	Status           courses.EnrolmentStatus
	CompletedAt      *time.Time
}

type upcomingRow struct {
	courses.UpcomingSession
	Title, TitleLang string
}

func learningRows(items []courses.LearningItem, lang string) []learningRow {
	rows := make([]learningRow, len(items))
	for i, it := range items {
		lc := courses.Localize(it.Course, lang)
		rows[i] = learningRow{ID: it.Course.ID, Slug: it.Course.Slug, Title: lc.Title, TitleLang: lc.Language, Percent: it.Percent,
			ResumeID: it.ResumeID, Status: it.Enrolment.Status, CompletedAt: it.Enrolment.CompletedAt}
	}
	return rows
}
