package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

func questionsURL(co courses.Course) string { return courseURL(co) + "/questions" }

// bankPage is the course's question bank: its categories and the questions of one of them (or all).
type bankPage struct {
	Head       courseHeader
	URL        string
	Categories []courses.QuestionCategory
	Category   int64 // the category shown; 0: every one
	Questions  []bankEntry
	Types      []courses.QuestionType
}

// bankEntry is one question as the bank lists it, named in the course's default language.
type bankEntry struct {
	courses.BankQuestion
	Label string
	Lang  string
}

// questionLabel names a question for instructors: its name, or the start of its text.
func questionLabel(q courses.Question, def string) (string, string) {
	t, lang := q.Text(def, def)
	if t.Name != "" {
		return t.Name, lang
	}
	s := strings.Join(strings.Fields(t.Text), " ")
	if r := []rune(s); len(r) > 90 {
		s = string(r[:89]) + "…"
	}
	return s, lang
}

func (a *App) questionBank(c *gin.Context) {
	a.renderBank(c, http.StatusOK, nil)
}

func (a *App) renderBank(c *gin.Context, status int, f *form) {
	co := courseOf(c)
	ctx := c.Request.Context()
	cats, err := a.Store.Categories(ctx, co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	var shown int64
	if v := c.Query("category"); v != "" {
		shown, _ = strconv.ParseInt(v, 10, 64)
		if !hasCategory(cats, shown) {
			a.notFound(c)
			return
		}
	}
	list, err := a.Store.Questions(ctx, co.ID, shown)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := bankPage{Head: a.courseHeader(c, co, tabQuestions), URL: questionsURL(co), Categories: cats, Category: shown, Types: courses.QuestionTypes}
	for _, q := range list {
		label, lang := questionLabel(q.Question, co.DefaultLanguage)
		data.Questions = append(data.Questions, bankEntry{BankQuestion: q, Label: label, Lang: lang})
	}
	v := a.newView(c, data)
	v.Form = f.over(map[string]string{"category": strconv.FormatInt(shown, 10)})
	a.render(c, status, "teach_questions", v)
}

func hasCategory(cats []courses.QuestionCategory, id int64) bool {
	for _, c := range cats {
		if c.ID == id {
			return true
		}
	}
	return false
}

func (a *App) createCategory(c *gin.Context) {
	co := courseOf(c)
	name := strings.TrimSpace(c.PostForm("name"))
	if msg := courses.CheckLine(name, courses.MaxTitleLength); msg != "" || name == "" {
		a.setFlash(c, "flash.error.category_name")
		c.Redirect(http.StatusSeeOther, questionsURL(co))
		return
	}
	id, err := a.Store.CreateCategory(c.Request.Context(), co.ID, name)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.category_created")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s?category=%d", questionsURL(co), id))
}

func (a *App) deleteCategory(c *gin.Context) {
	co := courseOf(c)
	err := a.Store.DeleteCategory(c.Request.Context(), co.ID, categoryOf(c).ID)
	switch {
	case errors.Is(err, store.ErrCategoryInUse):
		a.setFlash(c, "flash.error.category_in_use")
	case err != nil:
		a.fail(c, err)
		return
	default:
		a.setFlash(c, "flash.category_deleted")
	}
	c.Redirect(http.StatusSeeOther, questionsURL(co))
}

// bankReturn is where the bank's buttons come back to: the category the question is in.
func bankReturn(co courses.Course, categoryID int64) string {
	return fmt.Sprintf("%s?category=%d", questionsURL(co), categoryID)
}

func (a *App) duplicateQuestion(c *gin.Context) {
	co, q := courseOf(c), questionOf(c)
	id, err := a.Store.DuplicateQuestion(c.Request.Context(), co.ID, q.ID, currentUser(c).ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.question_duplicated")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/%d", questionsURL(co), id))
}

func (a *App) moveQuestion(c *gin.Context) {
	co, q := courseOf(c), questionOf(c)
	to, err := strconv.ParseInt(c.PostForm("category"), 10, 64)
	if err != nil {
		a.fail(c, fmt.Errorf("handlers: category %q: %w", c.PostForm("category"), courses.ErrInvalid))
		return
	}
	// The store refuses a category of another course as not found: the page offers none.
	if err := a.Store.MoveQuestion(c.Request.Context(), co.ID, q.ID, to); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.question_moved")
	c.Redirect(http.StatusSeeOther, bankReturn(co, to))
}

func (a *App) deleteQuestion(c *gin.Context) {
	co, q := courseOf(c), questionOf(c)
	if err := a.Store.DeleteQuestion(c.Request.Context(), co.ID, q.ID); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.question_deleted")
	c.Redirect(http.StatusSeeOther, bankReturn(co, q.CategoryID))
}
