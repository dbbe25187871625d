package handlers

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/aula-school/aula/courses"
)

// What the attempt page sends and shows of each question. Nothing here is derived from the
// answer key: options are named by the attempt's opaque ids, in the attempt's order, and no
// weight, feedback or score is copied into the view until the review allows it
// (TestTheAttemptPageHoldsNoAnswerKey holds it to that).

// questionView is one question on an attempt page or its review.
type questionView struct {
	Slot     int
	Number   int // 1-based across the attempt
	Type     courses.QuestionType
	Multiple bool // multichoice with several answers
	Text     template.HTML
	Lang     string // the language the text is shown in
	Points   float64
	Options  []optionView // multichoice, truefalse: in the attempt's order
	Lefts    []leftView   // match
	Rights   []optionView // match: the right items, in the attempt's order
	Typed    string       // shortanswer, numerical, essay: what was saved
	Seq      int64        // the newest save's sequence number: the next save sends more
	Answered bool

	// The review's, each only when the review policy shows it.
	Review      bool
	Mark        *courses.Mark
	Score       float64
	Right       []string // the right answers, in words
	Feedback    []template.HTML
	ShowCorrect bool
}

type optionView struct {
	ID      string
	Label   template.HTML
	Checked bool
	Right   bool // review only, when correctness is shown
}

type leftView struct {
	Index  int // the left item's place among the question's pairs
	Label  template.HTML
	Chosen string // the option id of the right item chosen
}

// fieldName is the form name of a slot's answer; match questions add "-k" per left item.
func fieldName(slot int) string { return "q" + strconv.Itoa(slot) }
func seqName(slot int) string   { return "seq" + strconv.Itoa(slot) }

// questionOnPage builds the view of one slot, showing its saved answer. trueFalse are the
// words for "true" and "false" in the page's language.
func questionOnPage(a courses.Attempt, s courses.AttemptSlot, number int, trueFalse [2]string) questionView {
	q := s.Question
	text, lang := q.Text(a.Language, a.Default)
	v := questionView{Slot: s.Slot, Number: number, Type: q.Type, Multiple: q.Type == courses.QuestionMultichoice && !q.Single,
		Text: questionText(text.Text, text.Format, a.Slug), Lang: lang, Points: q.Points, Seq: s.Seq,
		Answered: s.Response != nil && answered(*s.Response)}
	var r courses.Response
	if s.Response != nil {
		r = *s.Response
	}
	label := func(i int) template.HTML {
		if q.Type == courses.QuestionTrueFalse && (i == 0 || i == 1) {
			return template.HTML(template.HTMLEscapeString(trueFalse[i]))
		}
		if i < 0 || i >= len(text.Answers) {
			return ""
		}
		return questionText(text.Answers[i].Text, text.Format, a.Slug)
	}
	switch q.Type {
	case courses.QuestionMultichoice, courses.QuestionTrueFalse:
		for k, i := range s.Order {
			if k >= len(s.OptionIDs) {
				break
			}
			v.Options = append(v.Options, optionView{ID: s.OptionIDs[k], Label: label(i), Checked: contains(r.Choices, i)})
		}
	case courses.QuestionMatch:
		for k, i := range s.Order {
			if k >= len(s.OptionIDs) {
				break
			}
			v.Rights = append(v.Rights, optionView{ID: s.OptionIDs[k], Label: label(i)})
		}
		n := 0
		for i, ans := range q.Answers {
			if ans.Distractor {
				continue
			}
			lv := leftView{Index: n}
			if i < len(text.Answers) {
				lv.Label = questionText(text.Answers[i].Left, text.Format, a.Slug)
			}
			if n < len(r.Matches) {
				lv.Chosen = optionIDOf(s, r.Matches[n])
			}
			v.Lefts = append(v.Lefts, lv)
			n++
		}
	default:
		v.Typed = r.Text
	}
	return v
}

func answered(r courses.Response) bool {
	if strings.TrimSpace(r.Text) != "" || len(r.Choices) > 0 {
		return true
	}
	for _, m := range r.Matches {
		if m >= 0 {
			return true
		}
	}
	return false
}

func contains(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// optionIDOf is the opaque id of answer index i in a slot, or "".
func optionIDOf(s courses.AttemptSlot, i int) string {
	for k, idx := range s.Order {
		if idx == i && k < len(s.OptionIDs) {
			return s.OptionIDs[k]
		}
	}
	return ""
}

// indexOf is the answer index an opaque id names in a slot, or -1 for an id the slot never
// gave: a value made up in the browser chooses nothing.
func indexOf(s courses.AttemptSlot, id string) int {
	for k, oid := range s.OptionIDs {
		if oid == id && k < len(s.Order) {
			return s.Order[k]
		}
	}
	return -1
}

// Longest answers a trainee can type: a short answer is a line, an essay a few pages.
const (
	maxTypedAnswer = courses.MaxAnswerTextLength
	maxEssay       = 50_000
)

// responseFrom reads one slot's answer from a form (values by name) in the question's own
// indexes. ok is false when the slot's fields are missing altogether: nothing to save.
func responseFrom(s courses.AttemptSlot, values func(string) ([]string, bool)) (courses.Response, bool) {
	name := fieldName(s.Slot)
	var r courses.Response
	switch s.Question.Type {
	case courses.QuestionMultichoice, courses.QuestionTrueFalse:
		ids, ok := values(name)
		if !ok {
			// A radio group with nothing chosen sends nothing; the page says so with a marker field.
			if _, shown := values(name + "-shown"); !shown {
				return r, false
			}
		}
		for _, id := range ids {
			if i := indexOf(s, id); i >= 0 && !contains(r.Choices, i) {
				r.Choices = append(r.Choices, i)
			}
		}
		if s.Question.Single && len(r.Choices) > 1 {
			r.Choices = r.Choices[:1]
		}
	case courses.QuestionMatch:
		any := false
		n := 0
		for _, ans := range s.Question.Answers {
			if ans.Distractor {
				continue
			}
			ids, ok := values(name + "-" + strconv.Itoa(n))
			any = any || ok
			m := -1
			if ok && len(ids) > 0 {
				m = indexOf(s, ids[0])
			}
			r.Matches = append(r.Matches, m)
			n++
		}
		if !any {
			return r, false
		}
	case courses.QuestionDescription:
		return r, false
	default:
		texts, ok := values(name)
		if !ok || len(texts) == 0 {
			return r, false
		}
		limit := maxTypedAnswer
		if s.Question.Type == courses.QuestionEssay {
			limit = maxEssay
		}
		r.Text = texts[0]
		if rs := []rune(r.Text); len(rs) > limit {
			r.Text = string(rs[:limit])
		}
		if s.Question.Type != courses.QuestionEssay {
			r.Text = strings.TrimSpace(r.Text)
		}
	}
	return r, true
}

// savesFrom reads the answers of slots from a form. A slot's sequence number is the one the
// form sends, or the next one after what is stored. A page's own submit (newest) is the
// trainee's latest word whatever number it carries (a page restored by the back button
// carries an old one), so it is never older than what is stored.
func savesFrom(slots []courses.AttemptSlot, values func(string) ([]string, bool), newest bool) []courses.AnswerSave {
	var out []courses.AnswerSave
	for _, s := range slots {
		r, ok := responseFrom(s, values)
		if !ok {
			continue
		}
		seq := s.Seq + 1
		if v, ok := values(seqName(s.Slot)); ok && len(v) > 0 {
			if n, err := strconv.ParseInt(v[0], 10, 64); err == nil && n > 0 && (!newest || n > seq) {
				seq = n
			}
		}
		out = append(out, courses.AnswerSave{Slot: s.Slot, Seq: seq, Response: r})
	}
	return out
}

// addReview adds to a question's view what the review policy shows of it: the marks, the
// right answers and the feedback.
func addReview(v *questionView, a courses.Attempt, s courses.AttemptSlot, shows courses.ReviewView, trueFalse [2]string) {
	v.Review = true
	q := s.Question
	text, _ := q.Text(a.Language, a.Default)
	render := func(src string) template.HTML {
		return questionText(src, text.Format, a.Slug)
	}
	var r courses.Response
	if s.Response != nil {
		r = *s.Response
	}
	if !shows.Answers {
		// Not even the trainee's own answers: the review shows that the question was there.
		for i := range v.Options {
			v.Options[i].Checked = false
		}
		for i := range v.Lefts {
			v.Lefts[i].Chosen = ""
		}
		v.Typed = ""
	}
	if shows.Correctness {
		v.ShowCorrect = true
		v.Mark = s.Mark
		if s.Mark != nil {
			v.Score = s.Mark.Fraction * q.Points
		}
	}
	if shows.Answers && q.Graded() {
		best := 0.0
		for _, ans := range q.Answers {
			best = max(best, ans.Weight)
		}
		for i, ans := range q.Answers {
			switch q.Type {
			case courses.QuestionMultichoice, courses.QuestionTrueFalse, courses.QuestionShortAnswer:
				// Several answers: every one that earns something; one answer: the best ones.
				several := q.Type == courses.QuestionMultichoice && !q.Single
				if ans.Weight > 0 && (several || ans.Weight == best) {
					switch {
					case q.Type == courses.QuestionTrueFalse && i < 2:
						v.Right = append(v.Right, trueFalse[i])
					case i < len(text.Answers):
						v.Right = append(v.Right, text.Answers[i].Text)
					}
				}
			case courses.QuestionNumerical:
				if ans.Weight == best {
					v.Right = append(v.Right, numberAnswer(ans))
				}
			case courses.QuestionMatch:
				if !ans.Distractor && i < len(text.Answers) {
					v.Right = append(v.Right, text.Answers[i].Left+" → "+text.Answers[i].Text)
				}
			}
		}
		if shows.Correctness {
			for k, i := range s.Order {
				if k < len(v.Options) && i < len(q.Answers) && q.Answers[i].Weight > 0 {
					v.Options[k].Right = true
				}
			}
		}
	}
	if shows.Feedback {
		switch q.Type {
		case courses.QuestionMultichoice, courses.QuestionTrueFalse:
			for _, i := range r.Choices {
				if i >= 0 && i < len(text.Answers) && text.Answers[i].Feedback != "" {
					v.Feedback = append(v.Feedback, render(text.Answers[i].Feedback))
				}
			}
		case courses.QuestionShortAnswer, courses.QuestionNumerical:
			if i := courses.MatchedAnswer(q, a.Language, a.Default, r); i >= 0 && i < len(text.Answers) && text.Answers[i].Feedback != "" {
				v.Feedback = append(v.Feedback, render(text.Answers[i].Feedback))
			}
		}
		if text.GeneralFeedback != "" {
			v.Feedback = append(v.Feedback, render(text.GeneralFeedback))
		}
	}
}

// numberAnswer writes a numerical answer as people read it: 3.5 ± 0.1, or 1–5.
func numberAnswer(ans courses.Answer) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	switch {
	case ans.Range:
		return f(ans.Min) + "–" + f(ans.Max)
	case ans.Tolerance > 0:
		return f(ans.Value) + " ± " + f(ans.Tolerance)
	default:
		return f(ans.Value)
	}
}
