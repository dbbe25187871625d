package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// addQuizItem adds a question of the bank, or a number of questions drawn from a category,
// at the end of the quiz.
func (a *App) addQuizItem(c *gin.Context) {
	co, q := courseOf(c), quizOf(c)
	var it courses.QuizItem
	if v := c.PostForm("question"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			a.fail(c, fmt.Errorf("handlers: question %q: %w", v, courses.ErrInvalid))
			return
		}
		for _, x := range q.Items {
			if x.QuestionID == id {
				a.setFlash(c, "flash.error.question_in_quiz")
				c.Redirect(http.StatusSeeOther, quizURL(co, q.ID)+"#items")
				return
			}
		}
		it.QuestionID = id
	} else {
		id, err := strconv.ParseInt(c.PostForm("category"), 10, 64)
		count, cerr := strconv.Atoi(c.PostForm("count"))
		if err != nil || cerr != nil || count < 1 || count > courses.MaxQuizQuestions {
			a.setFlash(c, "flash.error.draw_count")
			c.Redirect(http.StatusSeeOther, quizURL(co, q.ID)+"#items")
			return
		}
		it.CategoryID, it.Count = id, count
	}
	if len(q.Items) >= courses.MaxQuizItems {
		a.setFlash(c, "flash.error.quiz_full")
		c.Redirect(http.StatusSeeOther, quizURL(co, q.ID)+"#items")
		return
	}
	q.Items = append(q.Items, it)
	// A question or category of another course is not found by the store: a 404, as for its URL.
	if _, err := a.Store.SaveQuiz(c.Request.Context(), co.ID, q); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.quiz_item_added")
	c.Redirect(http.StatusSeeOther, quizURL(co, q.ID)+"#items")
}

// quizItem reads the index of the item a form names; a page sends only real ones.
func quizItem(c *gin.Context, q courses.Quiz) (int, error) {
	i, err := strconv.Atoi(c.PostForm("item"))
	if err != nil || i < 0 || i >= len(q.Items) {
		return 0, fmt.Errorf("handlers: quiz item %q: %w", c.PostForm("item"), courses.ErrInvalid)
	}
	return i, nil
}

func (a *App) moveQuizItem(c *gin.Context) {
	co, q := courseOf(c), quizOf(c)
	i, err := quizItem(c, q)
	var delta int
	if err == nil {
		delta, err = direction(c)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	if j := i + delta; j >= 0 && j < len(q.Items) {
		q.Items[i], q.Items[j] = q.Items[j], q.Items[i]
		if _, err := a.Store.SaveQuiz(c.Request.Context(), co.ID, q); err != nil {
			a.fail(c, err)
			return
		}
	}
	c.Redirect(http.StatusSeeOther, quizURL(co, q.ID)+"#items")
}

func (a *App) removeQuizItem(c *gin.Context) {
	co, q := courseOf(c), quizOf(c)
	i, err := quizItem(c, q)
	if err != nil {
		a.fail(c, err)
		return
	}
	q.Items = append(q.Items[:i:i], q.Items[i+1:]...)
	if _, err := a.Store.SaveQuiz(c.Request.Context(), co.ID, q); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.quiz_item_removed")
	c.Redirect(http.StatusSeeOther, quizURL(co, q.ID)+"#items")
}
