package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

func quizURL(co courses.Course, quizID int64) string {
	return fmt.Sprintf("%s/quizzes/%d", courseURL(co), quizID)
}

// quizZone is the zone a quiz's opening and closing times are typed in: the server's, as
// for in-person sessions.
var quizZone = time.Local

// addQuiz places a new quiz, with Moodle's default settings, at the end of a module.
func (a *App) addQuiz(c *gin.Context) {
	co, m := courseOf(c), moduleOf(c)
	title, errs := courses.ParseModule(courses.ModuleForm{Title: c.PostForm("title")})
	if len(errs) > 0 {
		a.setFlash(c, "flash.error.title_required")
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#module-%d", courseURL(co), m.ID))
		return
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		a.fail(c, err)
		return
	}
	// The key names the quiz in bundles; unique in its module, so a random end keeps two
	// quizzes of the same title apart.
	key := courses.Slugify(title)
	if key == "" {
		key = "quiz"
	}
	q := courses.Quiz{ModuleID: m.ID, Key: key + "-" + hex.EncodeToString(b[:]), Position: len(m.Lessons),
		Titles: map[string]string{co.DefaultLanguage: title}, Settings: courses.DefaultQuizSettings()}
	id, err := a.Store.SaveQuiz(c.Request.Context(), co.ID, q)
	if err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.quiz_added")
	c.Redirect(http.StatusSeeOther, quizURL(co, id))
}

// teachQuizPage is a quiz's editor: its titles, settings, place and items.
type teachQuizPage struct {
	Head       courseHeader
	URL        string
	Quiz       courses.Quiz
	Title      string
	Module     courses.LocalModule
	Languages  []string
	Default    string
	Items      []quizItemView
	Bank       []bankEntry // questions not in the quiz yet
	Categories []courses.QuestionCategory
	Questions  int // questions an attempt shows
	// The review settings' fields and their choices.
	ReviewFields, ReviewWhens []string
}

// quizItemView is one item of a quiz as its editor lists it.
type quizItemView struct {
	courses.QuizItem
	Label, Lang string
	Type        courses.QuestionType
	Points      float64
	Category    string
	Missing     bool // a random item asking for more questions than its category holds
}

func (a *App) quizEditor(c *gin.Context) {
	a.renderQuiz(c, http.StatusOK, nil)
}

func (a *App) renderQuiz(c *gin.Context, status int, f *form) {
	co, q := courseOf(c), quizOf(c)
	ctx := c.Request.Context()
	bank, err := a.Store.Questions(ctx, co.ID, 0)
	if err != nil {
		a.fail(c, err)
		return
	}
	cats, err := a.Store.Categories(ctx, co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	local := courses.Localize(co, co.DefaultLanguage)
	data := teachQuizPage{Head: a.courseHeader(c, co, tabOutline), URL: quizURL(co, q.ID), Quiz: q, Languages: courses.Languages,
		Default: co.DefaultLanguage, Categories: cats, ReviewFields: []string{"review_answers", "review_correctness", "review_feedback"},
		ReviewWhens: []string{string(courses.ReviewImmediately), string(courses.ReviewAfterClose), string(courses.ReviewNever)}}
	data.Title, _ = courses.Pick(q.Titles, co.DefaultLanguage, co.DefaultLanguage)
	for _, m := range local.Modules {
		if m.ID == q.ModuleID {
			data.Module = m
		}
	}
	byID := map[int64]courses.BankQuestion{}
	for _, b := range bank {
		byID[b.ID] = b
	}
	fixed := map[int64]bool{}
	for _, it := range q.Items {
		v := quizItemView{QuizItem: it}
		if it.QuestionID != 0 {
			b := byID[it.QuestionID]
			fixed[it.QuestionID] = true
			v.Label, v.Lang = questionLabel(b.Question, co.DefaultLanguage)
			v.Type, v.Points = b.Question.Type, b.Question.Points
			data.Questions++
		} else {
			for _, cat := range cats {
				if cat.ID == it.CategoryID {
					v.Category, v.Missing = cat.Name, it.Count > cat.Questions
				}
			}
			data.Questions += it.Count
		}
		data.Items = append(data.Items, v)
	}
	for _, b := range bank {
		if !fixed[b.ID] {
			label, lang := questionLabel(b.Question, co.DefaultLanguage)
			data.Bank = append(data.Bank, bankEntry{BankQuestion: b, Label: label, Lang: lang})
		}
	}
	v := a.newView(c, data)
	stored := q.Settings.Form(quizZone).Values()
	stored["position"] = strconv.Itoa(q.Position)
	stored["count"] = "1"
	for _, l := range courses.Languages {
		stored["title_"+l] = q.Titles[l]
	}
	v.Form = f.over(stored)
	a.render(c, status, "teach_quiz", v)
}

// saveQuiz saves a quiz's titles, settings and place; its items have their own forms.
func (a *App) saveQuiz(c *gin.Context) {
	co, q := courseOf(c), quizOf(c)
	sf := courses.QuizSettingsForm{PassMark: c.PostForm("pass_mark"), Attempts: c.PostForm("attempts"), TimeLimit: c.PostForm("time_limit"),
		Grace: c.PostForm("grace"), PerPage: c.PostForm("per_page"), OpensAt: c.PostForm("opens_at"), ClosesAt: c.PostForm("closes_at"),
		Navigation: c.PostForm("navigation"), GradeMethod: c.PostForm("grade_method"), ReviewAnswers: c.PostForm("review_answers"),
		ReviewCorrect: c.PostForm("review_correctness"), ReviewFeedback: c.PostForm("review_feedback"),
		ShuffleOptions: c.PostForm("shuffle_options") == "on", Required: c.PostForm("required") == "on"}
	settings, errs := courses.ParseQuizSettings(sf, quizZone)
	values := sf.Values()
	titles := map[string]string{}
	for _, l := range courses.Languages {
		typed := c.PostForm("title_" + l)
		values["title_"+l] = typed
		title, terrs := courses.ParseModule(courses.ModuleForm{Title: typed})
		switch {
		case title == "" && l != co.DefaultLanguage && terrs["title"] != courses.KeyBadCharacters:
			// no title in this language: the default language's is shown
		case len(terrs) > 0:
			errs["title_"+l] = terrs["title"]
		default:
			titles[l] = title
		}
	}
	position, err := strconv.Atoi(c.PostForm("position"))
	values["position"] = c.PostForm("position")
	if err != nil || position < 0 || position > len(moduleOfQuiz(co, q).Lessons) {
		errs["position"] = "error.quiz.position"
	}
	errs = withInputErrors(c, errs)
	if len(errs) > 0 {
		a.renderQuiz(c, http.StatusUnprocessableEntity, &form{Values: values, Errors: errs})
		return
	}
	q.Titles, q.Settings, q.Position = titles, settings, position
	if _, err := a.Store.SaveQuiz(c.Request.Context(), co.ID, q); err != nil {
		a.fail(c, err)
		return
	}
	a.setFlash(c, "flash.quiz_saved")
	c.Redirect(http.StatusSeeOther, quizURL(co, q.ID))
}

func moduleOfQuiz(co courses.Course, q courses.Quiz) courses.Module {
	for _, m := range co.Modules {
		if m.ID == q.ModuleID {
			return m
		}
	}
	return courses.Module{}
}

// deleteQuiz deletes a quiz nobody has attempted; one with attempts keeps its results.
func (a *App) deleteQuiz(c *gin.Context) {
	co, q := courseOf(c), quizOf(c)
	err := a.Store.DeleteQuiz(c.Request.Context(), co.ID, q.ID)
	switch {
	case errors.Is(err, store.ErrQuizHasAttempts):
		a.setFlash(c, "flash.error.quiz_has_attempts")
		c.Redirect(http.StatusSeeOther, quizURL(co, q.ID))
	case err != nil:
		a.fail(c, err)
	default:
		a.setFlash(c, "flash.quiz_deleted")
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s#module-%d", courseURL(co), q.ModuleID))
	}
}
