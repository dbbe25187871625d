package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// gradingPage is the course's essays waiting for a mark.
type gradingPage struct {
	Head    courseHeader
	Essays  []gradingEntry
	Default string
}

type gradingEntry struct {
	courses.EssayToMark
	Quiz, Lang string
	URL        string
}

func (a *App) gradingQueue(c *gin.Context) {
	co := courseOf(c)
	list, err := a.Store.EssaysToMark(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := gradingPage{Head: a.courseHeader(c, co, tabGrading), Default: co.DefaultLanguage}
	for _, e := range list {
		title, lang := courses.Pick(e.QuizTitles, co.DefaultLanguage, co.DefaultLanguage)
		data.Essays = append(data.Essays, gradingEntry{EssayToMark: e, Quiz: title, Lang: lang,
			URL: fmt.Sprintf("%s#slot-%d", teachAttemptURL(co, e.AttemptID), e.Slot)})
	}
	a.render(c, http.StatusOK, "teach_grading", a.newView(c, data))
}

func teachAttemptURL(co courses.Course, attemptID int64) string {
	return fmt.Sprintf("%s/attempts/%d", courseURL(co), attemptID)
}

// markEssay records the points an instructor gives an essay, as a fraction of the question's
// points; the store totals the attempt again and records the course's completion.
func (a *App) markEssay(c *gin.Context) {
	co, at, slot := courseOf(c), attemptOf(c), slotOf(c)
	field := fmt.Sprintf("points-%d", slot.Slot)
	typed := c.PostForm("points")
	points, ok := courses.ParseNumber(typed)
	if !ok || points < 0 || points > slot.Question.Points {
		a.renderAttempt(c, http.StatusUnprocessableEntity, &form{Values: map[string]string{field: typed},
			Errors: courses.FieldErrors{field: "error.mark.points"}})
		return
	}
	fraction := 0.0
	if slot.Question.Points > 0 {
		fraction = points / slot.Question.Points
	}
	err := a.Store.MarkEssay(c.Request.Context(), co.ID, at.ID, slot.Slot, fraction, actor(c), a.now())
	switch {
	case errors.Is(err, store.ErrAttemptClosed):
		a.setFlash(c, "flash.error.attempt_in_progress")
	case err != nil:
		a.fail(c, err)
		return
	default:
		a.setFlash(c, "flash.essay_marked")
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#slot-%d", teachAttemptURL(co, at.ID), slot.Slot))
}

// essayLines splits an essay into its lines, for the page to show them as typed.
func essayLines(s string) []string {
	return strings.Split(strings.ReplaceAll(strings.TrimSpace(s), "\r\n", "\n"), "\n")
}
