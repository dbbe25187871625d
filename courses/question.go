package courses

import (
	"fmt"
	"math"
	"strings"
)

// QuestionType is the kind of a question, named as Moodle names it, so that GIFT files and
// `aula gift check --json` speak the same words as the question bank.
type QuestionType string

const (
	QuestionMultichoice QuestionType = "multichoice" // one right answer (Single) or several, by weight
	QuestionTrueFalse   QuestionType = "truefalse"   // two answers: index 0 is "true", index 1 "false"
	QuestionShortAnswer QuestionType = "shortanswer" // typed text against accepted answers
	QuestionNumerical   QuestionType = "numerical"   // a number against values with tolerances or ranges
	QuestionMatch       QuestionType = "match"       // every left item to one right item
	QuestionEssay       QuestionType = "essay"       // free text, marked by hand
	QuestionDescription QuestionType = "description" // text only: no answer, no points
)

// QuestionTypes lists every type in the order the question bank offers them.
var QuestionTypes = []QuestionType{QuestionMultichoice, QuestionTrueFalse, QuestionShortAnswer,
	QuestionNumerical, QuestionMatch, QuestionEssay, QuestionDescription}

// Valid reports whether t is one of QuestionTypes.
func (t QuestionType) Valid() bool {
	for _, x := range QuestionTypes {
		if t == x {
			return true
		}
	}
	return false
}

// TextFormat is how a question's texts are written: Moodle's four GIFT format tags.
type TextFormat string

const (
	FormatMoodle   TextFormat = "moodle" // Moodle's "auto-format": plain text, line breaks kept (GIFT's default)
	FormatHTML     TextFormat = "html"   // sanitised before it is shown
	FormatPlain    TextFormat = "plain"
	FormatMarkdown TextFormat = "markdown"
)

// Valid reports whether f is one of the four formats.
func (f TextFormat) Valid() bool {
	switch f {
	case FormatMoodle, FormatHTML, FormatPlain, FormatMarkdown:
		return true
	}
	return false
}

// Question is one question of a course's bank, in every language of the course. Its
// structure (type, answers, weights, values, points) is the same in every language; only
// Texts differ, and a language without its own text falls back as lessons do (Pick).
//
// A Question is stored as a whole (JSON) in each of its versions, so that an attempt keeps
// the very version its trainee saw: the json names are part of the stored format.
type Question struct {
	Type          QuestionType            `json:"type"`
	Single        bool                    `json:"single,omitempty"`         // multichoice: one answer may be chosen
	Points        float64                 `json:"points"`                   // what the question is worth; 0 for descriptions
	IgnoreAccents bool                    `json:"ignore_accents,omitempty"` // shortanswer: "policia" matches "policía"
	Answers       []Answer                `json:"answers,omitempty"`
	Texts         map[string]QuestionText `json:"texts"`
}

// Answer is the structure of one answer, the same in every language.
//
//   - multichoice, truefalse, shortanswer: Weight is the share of the points it earns,
//     -1..1 (Moodle's %50% is 0.5, %-100% is -1; "=" is 1).
//   - numerical: Weight, and either Value ± Tolerance or Min..Max (Range).
//   - match: Distractor marks a right-side item with no left item; Weight is unused.
type Answer struct {
	Weight     float64 `json:"weight,omitempty"`
	Value      float64 `json:"value,omitempty"`
	Tolerance  float64 `json:"tolerance,omitempty"`
	Range      bool    `json:"range,omitempty"` // numerical: Min..Max instead of Value ± Tolerance
	Min        float64 `json:"min,omitempty"`
	Max        float64 `json:"max,omitempty"`
	Distractor bool    `json:"distractor,omitempty"`
}

// QuestionText is a question in one language. Answers runs parallel to Question.Answers.
type QuestionText struct {
	Name            string       `json:"name,omitempty"` // GIFT's ::title::, shown to instructors only
	Text            string       `json:"text"`
	Format          TextFormat   `json:"format,omitempty"` // "" is FormatMoodle
	GeneralFeedback string       `json:"general_feedback,omitempty"`
	Answers         []AnswerText `json:"answers,omitempty"`
}

// AnswerText is an answer in one language: the option's text (multichoice), the accepted
// answer (shortanswer; may hold * wildcards), the right item (match), or nothing
// (truefalse, numerical: the page gives the words). Left is a match's left item.
type AnswerText struct {
	Text     string `json:"text,omitempty"`
	Left     string `json:"left,omitempty"`
	Feedback string `json:"feedback,omitempty"`
}

// Limits of a question, so that a bank, an import and an attempt page stay bounded.
const (
	MaxQuestionAnswers    = 50
	MaxQuestionTextLength = 20_000 // characters of a question's text or a feedback
	MaxAnswerTextLength   = 2_000
	MaxQuestionPoints     = 1_000
)

// Graded reports whether the question is marked by Grade: essays wait for a person and
// descriptions are not marked at all.
func (q Question) Graded() bool {
	return q.Type != QuestionEssay && q.Type != QuestionDescription
}

// Text gives the question in want, falling back to def and then any language, and the
// language chosen.
func (q Question) Text(want, def string) (QuestionText, string) {
	return Pick(q.Texts, want, def)
}

// Validate reports what is wrong with a question's structure and texts, in words for an
// instructor or an importer (the handlers translate the kinds of error they show). It is
// the one check every way of making a question goes through: the form, GIFT and bundles.
func (q Question) Validate() error {
	if !q.Type.Valid() {
		return fmt.Errorf("unknown question type %q", q.Type)
	}
	if math.IsNaN(q.Points) || q.Points < 0 || q.Points > MaxQuestionPoints {
		return fmt.Errorf("points must be between 0 and %d", MaxQuestionPoints)
	}
	if len(q.Texts) == 0 {
		return fmt.Errorf("the question has no text")
	}
	if len(q.Answers) > MaxQuestionAnswers {
		return fmt.Errorf("at most %d answers", MaxQuestionAnswers)
	}
	for _, a := range q.Answers {
		for _, f := range []float64{a.Weight, a.Value, a.Tolerance, a.Min, a.Max} {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("an answer has a value that is not a number")
			}
		}
		if a.Weight < -1 || a.Weight > 1 {
			return fmt.Errorf("an answer's weight must be between -100%% and 100%%")
		}
		if a.Range && a.Min > a.Max {
			return fmt.Errorf("a range's lower end is above its upper end")
		}
		if a.Tolerance < 0 {
			return fmt.Errorf("a tolerance cannot be negative")
		}
	}
	switch q.Type {
	case QuestionMultichoice:
		if len(q.Answers) < 2 {
			return fmt.Errorf("a multiple-choice question needs at least two answers")
		}
		if !anyPositive(q.Answers) {
			return fmt.Errorf("no answer earns any points")
		}
	case QuestionTrueFalse:
		if len(q.Answers) != 2 {
			return fmt.Errorf("a true/false question has exactly two answers")
		}
	case QuestionShortAnswer, QuestionNumerical:
		if len(q.Answers) == 0 {
			return fmt.Errorf("the question accepts no answer")
		}
		if !anyPositive(q.Answers) {
			return fmt.Errorf("no answer earns any points")
		}
	case QuestionMatch:
		pairs := 0
		for _, a := range q.Answers {
			if !a.Distractor {
				pairs++
			}
		}
		if pairs < 2 {
			return fmt.Errorf("a matching question needs at least two pairs")
		}
	case QuestionEssay, QuestionDescription:
		if len(q.Answers) != 0 {
			return fmt.Errorf("a %s question has no answers", q.Type)
		}
	}
	if q.Type == QuestionDescription && q.Points != 0 {
		return fmt.Errorf("a description is worth no points")
	}
	for lang, t := range q.Texts {
		if !validLanguage(lang) {
			return fmt.Errorf("unknown language %q", lang)
		}
		if strings.TrimSpace(t.Text) == "" {
			return fmt.Errorf("the question has no text in %s", lang)
		}
		if t.Format != "" && !t.Format.Valid() {
			return fmt.Errorf("unknown text format %q", t.Format)
		}
		if len(t.Answers) != len(q.Answers) {
			return fmt.Errorf("the %s text has %d answers where the question has %d", lang, len(t.Answers), len(q.Answers))
		}
		for _, s := range []string{t.Name, t.Text, t.GeneralFeedback} {
			if !ValidText(s) || len([]rune(s)) > MaxQuestionTextLength {
				return fmt.Errorf("a text in %s is too long or holds characters that are not text", lang)
			}
		}
		for i, a := range t.Answers {
			for _, s := range []string{a.Text, a.Left, a.Feedback} {
				if !ValidText(s) || len([]rune(s)) > MaxAnswerTextLength {
					return fmt.Errorf("answer %d in %s is too long or holds characters that are not text", i+1, lang)
				}
			}
			switch {
			case (q.Type == QuestionMultichoice || q.Type == QuestionShortAnswer || q.Type == QuestionMatch) && strings.TrimSpace(a.Text) == "":
				return fmt.Errorf("answer %d in %s has no text", i+1, lang)
			case q.Type == QuestionMatch && q.Answers[i].Distractor != (strings.TrimSpace(a.Left) == ""):
				return fmt.Errorf("pair %d in %s does not match the question's pairs", i+1, lang)
			}
		}
	}
	return nil
}

func anyPositive(answers []Answer) bool {
	for _, a := range answers {
		if a.Weight > 0 {
			return true
		}
	}
	return false
}

func validLanguage(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Response is what a trainee gave to one question, in the question's own indexes: the
// handlers map the attempt's opaque option ids back to these before anything is graded.
type Response struct {
	Choices []int  `json:"choices,omitempty"` // multichoice, truefalse: indexes into Question.Answers
	Text    string `json:"text,omitempty"`    // shortanswer, numerical (as typed), essay
	// Matches, for match questions: for each left item, in the order of the question's
	// non-distractor answers, the index into Question.Answers of the right item chosen, or -1.
	Matches []int `json:"matches,omitempty"`
}

// Mark is what a question earned: Fraction of its points, 0..1. Pending is true while a
// person has yet to mark it (essays), and Fraction is then 0.
type Mark struct {
	Fraction float64 `json:"fraction"`
	Pending  bool    `json:"pending,omitempty"`
}
