package handlers

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/aula-school/aula/courses"
	"github.com/gin-gonic/gin"
)

// teachAttemptPage is an instructor's view of one attempt: every question as the trainee saw it,
// what they answered, the right answers and the marks.
type teachAttemptPage struct {
	Head      courseHeader
	URL       string
	QuizURL   string
	QuizTitle string
	Default   string
	Attempt   courses.Attempt
	Trainee   courses.User
	Slots     []slotView
}

// slotView is one question of the attempt, in the language the attempt was shown in.
type slotView struct {
	Slot           int
	Number         int
	Type           courses.QuestionType
	Lang           string
	Name           string
	Text           template.HTML
	General        template.HTML
	Points, Earned float64
	Marked         bool // a mark is recorded (or the question is not marked at all)
	Pending        bool
	Options        []teachOptionView // multiple choice and true/false, in the order shown
	Typed          string            // short answer, numerical
	Lines          []string          // an essay, line by line
	Accepted       []teachOptionView // short answer and numerical: what earns points
	Pairs          []pairView
}

// teachOptionView is one option, or one accepted answer, with its weight and whether it was chosen.
type teachOptionView struct {
	Label    template.HTML
	Weight   float64
	Chosen   bool
	Feedback template.HTML
}

// pairView is one left item of a matching question: the right item chosen and the right one.
type pairView struct {
	Left, Chosen, Right string
	Correct             bool
}

func (a *App) teachAttempt(c *gin.Context) {
	a.renderAttempt(c, http.StatusOK, nil)
}

func (a *App) renderAttempt(c *gin.Context, status int, f *form) {
	co, at := courseOf(c), attemptOf(c)
	ctx := c.Request.Context()
	trainee, err := a.Store.User(ctx, at.UserID)
	if err != nil {
		a.fail(c, err)
		return
	}
	q, err := a.Store.Quiz(ctx, co.ID, at.QuizID)
	if err != nil {
		a.fail(c, err)
		return
	}
	data := teachAttemptPage{Head: a.courseHeader(c, co, tabGrading), URL: teachAttemptURL(co, at.ID), QuizURL: quizURL(co, q.ID),
		Default: co.DefaultLanguage, Attempt: at, Trainee: trainee}
	data.QuizTitle, _ = courses.Pick(q.Titles, co.DefaultLanguage, co.DefaultLanguage)
	stored := map[string]string{}
	for i, s := range at.Slots {
		sv := slotFor(s, at, co.Slug, func(id string) string { return a.i18n.translate(a.lang(c), id) })
		sv.Number = i + 1
		data.Slots = append(data.Slots, sv)
		if s.Question.Type == courses.QuestionEssay && s.Mark != nil && !s.Mark.Pending {
			stored["points-"+strconv.Itoa(s.Slot)] = formatDecimal(sv.Earned)
		}
	}
	v := a.newView(c, data)
	v.Form = f.over(stored)
	a.render(c, status, "teach_attempt", v)
}

// slotFor describes one slot of an attempt for its review.
func slotFor(s courses.AttemptSlot, at courses.Attempt, slug string, t9n func(string) string) slotView {
	q := s.Question
	t, lang := q.Text(at.Language, at.Default)
	sv := slotView{Slot: s.Slot, Type: q.Type, Lang: lang, Name: t.Name, Text: questionText(t.Text, t.Format, slug),
		General: questionText(t.GeneralFeedback, t.Format, slug), Points: q.Points}
	if s.Mark != nil {
		sv.Marked, sv.Pending = !s.Mark.Pending, s.Mark.Pending
		sv.Earned = s.Mark.Fraction * q.Points
	}
	var r courses.Response
	if s.Response != nil {
		r = *s.Response
	}
	chosen := map[int]bool{}
	for _, i := range r.Choices {
		chosen[i] = true
	}
	answer := func(i int) courses.AnswerText {
		if i >= 0 && i < len(t.Answers) {
			return t.Answers[i]
		}
		return courses.AnswerText{}
	}
	switch q.Type {
	case courses.QuestionMultichoice, courses.QuestionTrueFalse:
		for _, i := range s.Order {
			if i < 0 || i >= len(q.Answers) {
				continue
			}
			o := teachOptionView{Weight: q.Answers[i].Weight, Chosen: chosen[i], Feedback: questionText(answer(i).Feedback, t.Format, slug)}
			if q.Type == courses.QuestionMultichoice {
				o.Label = questionText(answer(i).Text, t.Format, slug)
			} else {
				o.Label = template.HTML(template.HTMLEscapeString(t9n("question." + []string{"true", "false"}[i])))
			}
			sv.Options = append(sv.Options, o)
		}
	case courses.QuestionShortAnswer, courses.QuestionNumerical:
		sv.Typed = r.Text
		for i, an := range q.Answers {
			label := answer(i).Text
			if q.Type == courses.QuestionNumerical {
				if an.Range {
					label = formatDecimal(an.Min) + " – " + formatDecimal(an.Max)
				} else {
					label = formatDecimal(an.Value) + " ± " + formatDecimal(an.Tolerance)
				}
			}
			sv.Accepted = append(sv.Accepted, teachOptionView{Label: template.HTML(template.HTMLEscapeString(label)), Weight: an.Weight,
				Feedback: questionText(answer(i).Feedback, t.Format, slug)})
		}
	case courses.QuestionMatch:
		k := 0
		for i, an := range q.Answers {
			if an.Distractor {
				continue
			}
			p := pairView{Left: answer(i).Left, Right: answer(i).Text, Chosen: "—"}
			if k < len(r.Matches) && r.Matches[k] >= 0 && r.Matches[k] < len(q.Answers) {
				p.Chosen, p.Correct = answer(r.Matches[k]).Text, answer(r.Matches[k]).Text == p.Right
			}
			sv.Pairs = append(sv.Pairs, p)
			k++
		}
	case courses.QuestionEssay:
		if r.Text != "" {
			sv.Lines = essayLines(r.Text)
		}
	}
	return sv
}
