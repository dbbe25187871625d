package courses

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// QuestionWeights are the shares of a question's points an answer may earn, as Moodle's
// question form offers them (100%, 90%, 83.333% … 0 … -100%), as fractions.
var QuestionWeights = []float64{1, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3,
	0.25, 0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0, -0.05, -0.1, -0.1111111, -0.125, -0.1428571,
	-0.1666667, -0.2, -0.25, -0.3, -0.3333333, -0.4, -0.5, -0.6, -0.6666667, -0.7, -0.75, -0.8, -0.8333333, -0.9, -1}

// Translation keys of what is wrong with a question's form.
const (
	KeyQuestionType         = "error.question.type"
	KeyQuestionCategory     = "error.question.category"
	KeyQuestionText         = "error.question.text_required"
	KeyQuestionPoints       = "error.question.points"
	KeyQuestionFormat       = "error.question.format"
	KeyQuestionTooFew       = "error.question.too_few_answers"
	KeyQuestionTooMany      = "error.question.too_many_answers"
	KeyQuestionNoRight      = "error.question.no_right_answer"
	KeyQuestionPairs        = "error.question.too_few_pairs"
	KeyQuestionAnswerText   = "error.question.answer_text"
	KeyQuestionWeight       = "error.question.weight"
	KeyQuestionNumber       = "error.question.number"
	KeyQuestionTolerance    = "error.question.tolerance"
	KeyQuestionRange        = "error.question.range"
	KeyQuestionCorrect      = "error.question.correct"
	KeyQuestionInvalid      = "error.question.invalid"
	KeyQuestionRightMissing = "error.question.match_right"
)

// QuestionForm is one language of a question as an instructor types it, with the
// structure every language shares. Numbers are as typed; Single is "one" or "several"
// (multiple choice); Correct is "true" or "false" (true/false).
type QuestionForm struct {
	Points, Name, Text, Format, GeneralFeedback string
	Single, Correct                             string
	IgnoreAccents                               bool
	Answers                                     []AnswerForm
}

// AnswerForm is one row of the question form's answers. Key is the answer's index in the
// question as it was loaded ("" for a row added), so that the other languages' texts follow
// their answer when rows are removed. Kind is "exact" (Value ± Tolerance) or "range"
// (Min..Max), for numerical questions.
type AnswerForm struct {
	Key                              string
	Text, Left, Feedback, Weight     string
	Kind, Value, Tolerance, Min, Max string
}

// blank reports whether a row was left empty: such a row is no answer (a row added and not
// used, or an answer taken away). The weight does not count: its select always has a value.
func (a AnswerForm) blank() bool {
	for _, s := range []string{a.Text, a.Left, a.Feedback, a.Value, a.Tolerance, a.Min, a.Max} {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// AnswerRows is how many empty rows the form adds after a question's answers, for new ones.
const AnswerRows = 3

// HasAnswerRows reports whether a type's form has rows of answers (true/false has its two
// fixed rows apart).
func (t QuestionType) HasAnswerRows() bool {
	return t == QuestionMultichoice || t == QuestionShortAnswer || t == QuestionNumerical || t == QuestionMatch
}

// ParseQuestion checks the form of a question of type t written in lang, over old, the
// question as stored (the zero Question for a new one). The structure (answers, weights,
// values, points) comes from the form and is every language's; the texts typed are lang's.
//
// The other languages keep their own texts: an answer kept keeps its translations (rows
// carry the index they had, so removing one does not shift the others' texts); an answer
// added shows, in every other language that has texts, what was typed in lang until it is
// translated there, so that no language is left with an answer without words (Validate
// refuses that). A matching pair turned into a distractor (or back) does the same with its
// left item. Errors are keyed by field; a row's field by its name and index, like
// "answer_text-2".
func ParseQuestion(t QuestionType, f QuestionForm, lang string, old Question) (Question, FieldErrors) {
	errs := FieldErrors{}
	if !t.Valid() {
		errs["type"] = KeyQuestionType
		return Question{}, errs
	}
	q := Question{Type: t, Single: t == QuestionMultichoice && f.Single != "several",
		IgnoreAccents: t == QuestionShortAnswer && f.IgnoreAccents}
	if t != QuestionDescription {
		p, ok := ParseNumber(f.Points)
		if !ok || p < 0 || p > MaxQuestionPoints {
			errs["points"] = KeyQuestionPoints
		}
		q.Points = p
	}
	text := QuestionText{Name: strings.TrimSpace(f.Name), Text: strings.TrimSpace(normalizeLines(f.Text)),
		Format: TextFormat(f.Format), GeneralFeedback: strings.TrimSpace(normalizeLines(f.GeneralFeedback))}
	if text.Format == FormatMoodle {
		text.Format = ""
	}
	if text.Format != "" && !text.Format.Valid() {
		errs["format"] = KeyQuestionFormat
	}
	switch {
	case text.Text == "":
		errs["text"] = KeyQuestionText
	case utf8.RuneCountInString(text.Text) > MaxQuestionTextLength:
		errs["text"] = KeyTooLong
	}
	if utf8.RuneCountInString(text.Name) > MaxTitleLength {
		errs["name"] = KeyTooLong
	}
	if utf8.RuneCountInString(text.GeneralFeedback) > MaxQuestionTextLength {
		errs["general_feedback"] = KeyTooLong
	}

	var keys []int // per answer kept, its index in old, or -1 for a new one
	switch t {
	case QuestionTrueFalse:
		if f.Correct != "true" && f.Correct != "false" {
			errs["correct"] = KeyQuestionCorrect
		}
		q.Answers = []Answer{{Weight: boolWeight(f.Correct == "true")}, {Weight: boolWeight(f.Correct == "false")}}
		for i := range 2 {
			fb := ""
			if i < len(f.Answers) {
				fb = strings.TrimSpace(f.Answers[i].Feedback)
				checkLength(errs, "answer_feedback-"+strconv.Itoa(i), fb, MaxAnswerTextLength)
			}
			text.Answers = append(text.Answers, AnswerText{Feedback: fb})
			keys = append(keys, i)
		}
	case QuestionMultichoice, QuestionShortAnswer, QuestionNumerical, QuestionMatch:
		seen := map[int]bool{}
		for i, row := range f.Answers {
			if row.blank() {
				continue
			}
			a, at := parseAnswerRow(t, row, i, errs)
			key := -1
			if k, err := strconv.Atoi(row.Key); err == nil && k >= 0 && k < len(old.Answers) && !seen[k] {
				key = k
				seen[k] = true
			}
			q.Answers = append(q.Answers, a)
			text.Answers = append(text.Answers, at)
			keys = append(keys, key)
		}
		checkAnswers(q, errs)
	}

	q.Texts = map[string]QuestionText{lang: text}
	for l, ot := range old.Texts {
		if l == lang {
			continue
		}
		moved := ot
		moved.Answers = make([]AnswerText, len(q.Answers))
		for i, k := range keys {
			at := AnswerText{Text: text.Answers[i].Text, Left: text.Answers[i].Left}
			if k >= 0 && k < len(ot.Answers) {
				at = ot.Answers[k]
			}
			if t == QuestionMatch {
				switch {
				case q.Answers[i].Distractor:
					at.Left = ""
				case strings.TrimSpace(at.Left) == "":
					at.Left = text.Answers[i].Left
				}
			}
			if t.HasAnswerRows() && strings.TrimSpace(at.Text) == "" {
				at.Text = text.Answers[i].Text
			}
			moved.Answers[i] = at
		}
		q.Texts[l] = moved
	}

	lines := map[string]string{"points": f.Points, "format": f.Format, "single": f.Single, "correct": f.Correct}
	texts := map[string]string{"name": f.Name, "text": f.Text, "general_feedback": f.GeneralFeedback}
	for i, row := range f.Answers {
		n := strconv.Itoa(i)
		for field, v := range map[string]string{"answer_weight-": row.Weight, "answer_kind-": row.Kind, "answer_value-": row.Value,
			"answer_tolerance-": row.Tolerance, "answer_min-": row.Min, "answer_max-": row.Max, "answer_key-": row.Key} {
			lines[field+n] = v
		}
		for field, v := range map[string]string{"answer_text-": row.Text, "answer_left-": row.Left, "answer_feedback-": row.Feedback} {
			texts[field+n] = v
		}
	}
	refuseBadCharacters(errs, lines, texts)
	if len(errs) == 0 {
		if err := q.Validate(); err != nil {
			errs["answers"] = KeyQuestionInvalid
		}
	}
	return q, errs
}

func boolWeight(right bool) float64 {
	if right {
		return 1
	}
	return 0
}

func normalizeLines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func checkLength(errs FieldErrors, field, s string, max int) {
	if utf8.RuneCountInString(s) > max {
		errs[field] = KeyTooLong
	}
}

// parseAnswerRow reads row i of the answers of a question of type t.
func parseAnswerRow(t QuestionType, row AnswerForm, i int, errs FieldErrors) (Answer, AnswerText) {
	n := "-" + strconv.Itoa(i)
	at := AnswerText{Text: strings.TrimSpace(row.Text), Left: strings.TrimSpace(row.Left), Feedback: strings.TrimSpace(row.Feedback)}
	for field, s := range map[string]string{"answer_text": at.Text, "answer_left": at.Left, "answer_feedback": at.Feedback} {
		checkLength(errs, field+n, s, MaxAnswerTextLength)
	}
	var a Answer
	if t != QuestionMatch {
		w, ok := ParseNumber(row.Weight)
		if !ok || w < -1 || w > 1 {
			errs["answer_weight"+n] = KeyQuestionWeight
		}
		a.Weight = w
	}
	switch t {
	case QuestionMultichoice, QuestionShortAnswer:
		if at.Text == "" {
			errs["answer_text"+n] = KeyQuestionAnswerText
		}
	case QuestionMatch:
		if at.Text == "" {
			errs["answer_text"+n] = KeyQuestionRightMissing
		}
		a.Distractor = at.Left == ""
		at.Feedback = ""
	case QuestionNumerical:
		at.Text, at.Left = "", ""
		number := func(field, s string, required bool) float64 {
			if strings.TrimSpace(s) == "" && !required {
				return 0
			}
			x, ok := ParseNumber(s)
			if !ok {
				errs[field+n] = KeyQuestionNumber
			}
			return x
		}
		if row.Kind == "range" {
			a.Range = true
			a.Min, a.Max = number("answer_min", row.Min, true), number("answer_max", row.Max, true)
			if _, bad := errs["answer_min"+n]; !bad && a.Min > a.Max {
				errs["answer_max"+n] = KeyQuestionRange
			}
		} else {
			a.Value = number("answer_value", row.Value, true)
			a.Tolerance = number("answer_tolerance", row.Tolerance, false)
			if a.Tolerance < 0 {
				errs["answer_tolerance"+n] = KeyQuestionTolerance
			}
		}
	}
	return a, at
}

// checkAnswers says what is wrong with the answers as a whole, under "answers".
func checkAnswers(q Question, errs FieldErrors) {
	switch {
	case len(q.Answers) > MaxQuestionAnswers:
		errs["answers"] = KeyQuestionTooMany
	case q.Type == QuestionMultichoice && len(q.Answers) < 2, len(q.Answers) == 0:
		errs["answers"] = KeyQuestionTooFew
	case q.Type == QuestionMatch:
		pairs := 0
		for _, a := range q.Answers {
			if !a.Distractor {
				pairs++
			}
		}
		if pairs < 2 {
			errs["answers"] = KeyQuestionPairs
		}
	case !anyPositive(q.Answers):
		errs["answers"] = KeyQuestionNoRight
	}
}

// Form gives a question back as the form that would make it, in lang: its texts there (empty
// where lang has none yet), and AnswerRows empty rows after its answers for new ones.
func (q Question) Form(lang string) QuestionForm {
	t := q.Texts[lang]
	f := QuestionForm{Points: formatNumber(q.Points), Name: t.Name, Text: t.Text, Format: string(t.Format),
		GeneralFeedback: t.GeneralFeedback, Single: "several", IgnoreAccents: q.IgnoreAccents, Correct: "true"}
	if f.Format == "" {
		f.Format = string(FormatMoodle)
	}
	if q.Single || len(q.Answers) == 0 {
		f.Single = "one"
	}
	if q.Type == QuestionTrueFalse && len(q.Answers) == 2 && q.Answers[1].Weight > q.Answers[0].Weight {
		f.Correct = "false"
	}
	for i, a := range q.Answers {
		row := AnswerForm{Key: strconv.Itoa(i), Weight: formatNumber(a.Weight), Kind: "exact"}
		if i < len(t.Answers) {
			row.Text, row.Left, row.Feedback = t.Answers[i].Text, t.Answers[i].Left, t.Answers[i].Feedback
		}
		if q.Type == QuestionNumerical {
			if a.Range {
				row.Kind, row.Min, row.Max = "range", formatNumber(a.Min), formatNumber(a.Max)
			} else {
				row.Value, row.Tolerance = formatNumber(a.Value), formatNumber(a.Tolerance)
			}
		}
		f.Answers = append(f.Answers, row)
	}
	if q.Type.HasAnswerRows() {
		for n := len(f.Answers); len(f.Answers) < n+AnswerRows || len(f.Answers) < 4; {
			f.Answers = append(f.Answers, AnswerForm{Weight: "0", Kind: "exact"})
		}
		if len(q.Answers) == 0 && q.Type != QuestionMatch {
			f.Answers[0].Weight = "1" // a new question's first answer is the right one, until the author says otherwise
		}
	}
	return f
}

// NewQuestion is what the form of a new question of type t starts with: one point, and for
// true/false "true" right (Form makes the first row of the other types right).
func NewQuestion(t QuestionType) Question {
	q := Question{Type: t, Points: 1, Single: true}
	switch t {
	case QuestionDescription:
		q.Points = 0
	case QuestionTrueFalse:
		q.Answers = []Answer{{Weight: 1}, {Weight: 0}}
	}
	return q
}

// formatNumber writes a number as the form shows it: no exponent, no trailing zeros.
func formatNumber(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// WeightChoices is the weights a row's select offers: Moodle's, and w too when it is none
// of them (a weight imported from GIFT), so that saving the form does not change it.
func WeightChoices(w string) []string {
	out := make([]string, 0, len(QuestionWeights)+1)
	found := false
	for _, x := range QuestionWeights {
		s := formatNumber(x)
		if s == w {
			found = true
		}
		out = append(out, s)
	}
	if !found && w != "" {
		if x, ok := ParseNumber(w); ok && x >= -1 && x <= 1 {
			out = append(out, formatNumber(x))
		}
	}
	return out
}
