package handlers

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/gin-gonic/gin"
)

// questionPage is the form of one question in one language: the structure every language
// shares, and that language's texts.
type questionPage struct {
	Head       courseHeader
	URL        string // where the form is sent, its language in the query
	BankURL    string
	Question   courses.BankQuestion // ID 0 for a new one
	Type       courses.QuestionType
	Lang       string
	Tabs       []languageTab
	Categories []courses.QuestionCategory
	Answers    []courses.AnswerForm
	Original   *courses.QuestionText // the default language's text, beside a translation
	Default    string
	Formats    []courses.TextFormat
	TrueFalse  []string // the two fixed answers of a true/false question, in their order
}

// languageTab links the question's form in one language, saying whether it has its texts.
type languageTab struct {
	Lang, URL        string
	Current, HasText bool
}

// weightOption is one choice of an answer's weight select.
type weightOption struct {
	Value, Label string
	Selected     bool
}

// Weights lists the weight choices of a row whose weight is w, as percentages.
func (p questionPage) Weights(w string) []weightOption {
	var out []weightOption
	for _, s := range courses.WeightChoices(w) {
		x, _ := strconv.ParseFloat(s, 64)
		label := strconv.FormatFloat(math.Round(x*1e7)/1e5, 'f', -1, 64) + " %"
		out = append(out, weightOption{Value: s, Label: label, Selected: s == w})
	}
	return out
}

// rowFieldView is one input of a row of answers, for the "row-field" partial: the rows
// share their fields' names, so each input's id adds the row's index.
type rowFieldView struct {
	V                            *view
	ID, Name, Type, Label, Value string
	Error                        string
}

// RowField describes the input name of answer row i, showing value.
func (v *view) RowField(i int, name, typ, label, value string) rowFieldView {
	id := name + "-" + strconv.Itoa(i)
	return rowFieldView{V: v, ID: id, Name: name, Type: typ, Label: label, Value: value, Error: v.Form.Error(id)}
}

// questionLanguage is the language the question form writes: the URL's lang, else the
// course's default. The form sends it in its address, not as a field, so that a field
// refused for its characters is shown on the form rather than refusing the language.
func questionLanguage(c *gin.Context, co courses.Course) (string, bool) {
	l := c.Query("lang")
	if l == "" {
		return co.DefaultLanguage, true
	}
	return l, courses.ValidLanguage(l)
}

func (a *App) newQuestion(c *gin.Context) {
	co := courseOf(c)
	t := courses.QuestionType(c.DefaultQuery("type", string(courses.QuestionMultichoice)))
	cats, err := a.Store.Categories(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	if len(cats) == 0 {
		a.setFlash(c, "flash.error.no_category")
		c.Redirect(http.StatusSeeOther, questionsURL(co))
		return
	}
	cat := cats[0].ID
	if v := c.Query("category"); v != "" {
		cat, err = strconv.ParseInt(v, 10, 64)
	}
	if !t.Valid() || err != nil || !hasCategory(cats, cat) {
		a.notFound(c)
		return
	}
	q := courses.BankQuestion{CourseID: co.ID, CategoryID: cat, Question: courses.NewQuestion(t)}
	a.renderQuestion(c, http.StatusOK, q, co.DefaultLanguage, q.Question.Form(co.DefaultLanguage), nil)
}

func (a *App) questionEditor(c *gin.Context) {
	co, q := courseOf(c), questionOf(c)
	lang, ok := questionLanguage(c, co)
	if !ok {
		a.notFound(c)
		return
	}
	a.renderQuestion(c, http.StatusOK, q, lang, q.Question.Form(lang), nil)
}

func (a *App) renderQuestion(c *gin.Context, status int, q courses.BankQuestion, lang string, qf courses.QuestionForm, errs courses.FieldErrors) {
	co := courseOf(c)
	cats, err := a.Store.Categories(c.Request.Context(), co.ID)
	if err != nil {
		a.fail(c, err)
		return
	}
	url := questionsURL(co)
	if q.ID != 0 {
		url = fmt.Sprintf("%s/%d", url, q.ID)
	}
	data := questionPage{Head: a.courseHeader(c, co, tabQuestions), URL: url + "?lang=" + lang, BankURL: bankReturn(co, q.CategoryID),
		Question: q, Type: q.Question.Type, Lang: lang, Categories: cats, Answers: qf.Answers, Default: co.DefaultLanguage,
		Formats:   []courses.TextFormat{courses.FormatMoodle, courses.FormatMarkdown, courses.FormatHTML, courses.FormatPlain},
		TrueFalse: []string{"true", "false"}}
	if q.ID != 0 {
		for _, l := range courses.Languages {
			_, has := q.Question.Texts[l]
			data.Tabs = append(data.Tabs, languageTab{Lang: l, URL: fmt.Sprintf("%s?lang=%s", url, l), Current: l == lang, HasText: has})
		}
	}
	if t, ok := q.Question.Texts[co.DefaultLanguage]; ok && lang != co.DefaultLanguage {
		data.Original = &t
	}
	v := a.newView(c, data)
	values := map[string]string{"points": qf.Points, "name": qf.Name, "text": qf.Text, "format": qf.Format,
		"general_feedback": qf.GeneralFeedback, "single": qf.Single, "correct": qf.Correct,
		"category": strconv.FormatInt(q.CategoryID, 10)}
	if qf.IgnoreAccents {
		values["ignore_accents"] = "on"
	}
	v.Form = &form{Values: values, Errors: errs}
	a.render(c, status, "teach_question", v)
}

// questionFormOf reads the question form; its answer rows are parallel lists of fields.
func questionFormOf(c *gin.Context) courses.QuestionForm {
	f := courses.QuestionForm{Points: c.PostForm("points"), Name: c.PostForm("name"), Text: c.PostForm("text"),
		Format: c.PostForm("format"), GeneralFeedback: c.PostForm("general_feedback"), Single: c.PostForm("single"),
		Correct: c.PostForm("correct"), IgnoreAccents: c.PostForm("ignore_accents") == "on"}
	fields := map[string][]string{}
	rows := 0
	for _, name := range []string{"answer_key", "answer_text", "answer_left", "answer_feedback", "answer_weight",
		"answer_kind", "answer_value", "answer_tolerance", "answer_min", "answer_max"} {
		fields[name] = c.PostFormArray(name)
		rows = max(rows, len(fields[name]))
	}
	rows = min(rows, courses.MaxQuestionAnswers+courses.AnswerRows+1) // a longer list is refused by the count
	at := func(name string, i int) string {
		if i < len(fields[name]) {
			return fields[name][i]
		}
		return ""
	}
	for i := range rows {
		f.Answers = append(f.Answers, courses.AnswerForm{Key: at("answer_key", i), Text: at("answer_text", i), Left: at("answer_left", i),
			Feedback: at("answer_feedback", i), Weight: at("answer_weight", i), Kind: at("answer_kind", i), Value: at("answer_value", i),
			Tolerance: at("answer_tolerance", i), Min: at("answer_min", i), Max: at("answer_max", i)})
	}
	return f
}

func (a *App) createQuestion(c *gin.Context) {
	co := courseOf(c)
	t := courses.QuestionType(c.PostForm("type"))
	if !t.Valid() {
		a.renderBank(c, http.StatusUnprocessableEntity, &form{Values: map[string]string{}, Errors: withInputErrors(c, courses.FieldErrors{"type": courses.KeyQuestionType})})
		return
	}
	q := courses.BankQuestion{CourseID: co.ID, Question: courses.NewQuestion(t)}
	a.parseAndSaveQuestion(c, q, co.DefaultLanguage)
}

func (a *App) saveQuestion(c *gin.Context) {
	co := courseOf(c)
	lang, ok := questionLanguage(c, co)
	if !ok {
		a.notFound(c)
		return
	}
	a.parseAndSaveQuestion(c, questionOf(c), lang)
}

// parseAndSaveQuestion checks the form over the question as loaded and saves it as a new
// version; a form that changes nothing makes no version.
func (a *App) parseAndSaveQuestion(c *gin.Context, old courses.BankQuestion, lang string) {
	co := courseOf(c)
	qf := questionFormOf(c)
	next, errs := courses.ParseQuestion(old.Question.Type, qf, lang, old.Question)
	errs = withInputErrors(c, errs)
	// Another instructor saved the question since this form was opened: their version is
	// shown, with this form's words, rather than silently overwritten.
	if sent := c.PostForm("version"); old.ID != 0 && sent != "" && sent != strconv.Itoa(old.Version) {
		errs["version"] = "error.question.changed"
	}
	if old.ID == 0 {
		cats, err := a.Store.Categories(c.Request.Context(), co.ID)
		if err != nil {
			a.fail(c, err)
			return
		}
		old.CategoryID, _ = strconv.ParseInt(c.PostForm("category"), 10, 64)
		if !hasCategory(cats, old.CategoryID) {
			errs["category"] = courses.KeyQuestionCategory
		}
	}
	if len(errs) > 0 {
		rows := 4
		if old.Question.Type == courses.QuestionTrueFalse {
			rows = 2
		}
		for len(qf.Answers) < rows {
			qf.Answers = append(qf.Answers, courses.AnswerForm{Weight: "0", Kind: "exact"})
		}
		a.renderQuestion(c, http.StatusUnprocessableEntity, old, lang, qf, errs)
		return
	}
	id := old.ID
	if old.ID == 0 || !reflect.DeepEqual(old.Question, next) {
		save := old
		save.Question = next
		var err error
		if id, err = a.Store.SaveQuestion(c.Request.Context(), save, currentUser(c).ID); errors.Is(err, store.ErrQuestionChanged) {
			a.renderQuestion(c, http.StatusConflict, old, lang, qf, courses.FieldErrors{"version": "error.question.changed"})
			return
		} else if err != nil {
			a.fail(c, err)
			return
		}
	}
	a.setFlash(c, "flash.question_saved")
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("%s/%d?lang=%s", questionsURL(co), id, lang))
}
