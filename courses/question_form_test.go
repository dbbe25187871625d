package courses

import (
	"testing"
)

func row(key, text, weight string) AnswerForm {
	return AnswerForm{Key: key, Text: text, Weight: weight, Kind: "exact"}
}

func TestParseQuestionMakesAValidQuestionFromTheForm(t *testing.T) {
	f := QuestionForm{Points: "2,5", Text: "¿Qué es la prevención?", Single: "one",
		Answers: []AnswerForm{row("", "Actuar antes", "1"), row("", "Castigar", "0"), row("", "", "0")}}
	q, errs := ParseQuestion(QuestionMultichoice, f, "es", Question{})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	if q.Points != 2.5 || !q.Single || len(q.Answers) != 2 || q.Texts["es"].Answers[1].Text != "Castigar" || q.Validate() != nil {
		t.Fatalf("%+v", q)
	}
}

// Editing in one language changes the structure for every language: the other languages'
// texts follow their answers, and an answer added shows this language's words there.
func TestParseQuestionKeepsOtherLanguagesParallelWhenAnswersChange(t *testing.T) {
	old := Question{Type: QuestionMultichoice, Single: true, Points: 1,
		Answers: []Answer{{Weight: 1}, {Weight: 0}, {Weight: 0}},
		Texts: map[string]QuestionText{
			"es": {Text: "¿Cuál?", Answers: []AnswerText{{Text: "Uno"}, {Text: "Dos"}, {Text: "Tres"}}},
			"en": {Text: "Which?", Answers: []AnswerText{{Text: "One", Feedback: "Right"}, {Text: "Two"}, {Text: "Three"}}},
		}}
	// In Spanish: "Dos" taken away (its row emptied), a new answer added.
	f := old.Form("es")
	f.Answers[1] = AnswerForm{Key: "1", Weight: "0", Kind: "exact"}
	f.Answers[3] = row("", "Cuatro", "0,5")
	q, errs := ParseQuestion(QuestionMultichoice, f, "es", old)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	en := q.Texts["en"].Answers
	if len(q.Answers) != 3 || len(en) != 3 || en[0].Text != "One" || en[0].Feedback != "Right" || en[1].Text != "Three" || en[2].Text != "Cuatro" {
		t.Fatalf("en after the edit: %+v", en)
	}
	if q.Answers[2].Weight != 0.5 || q.Texts["en"].Text != "Which?" || q.Validate() != nil {
		t.Fatalf("%+v", q)
	}
}

func TestParseQuestionRefusesWhatWouldNotGrade(t *testing.T) {
	for _, tt := range []struct {
		name  string
		typ   QuestionType
		f     QuestionForm
		field string
		key   string
	}{
		{"no text", QuestionMultichoice, QuestionForm{Points: "1", Answers: []AnswerForm{row("", "a", "1"), row("", "b", "0")}}, "text", KeyQuestionText},
		{"one answer", QuestionMultichoice, QuestionForm{Points: "1", Text: "x", Answers: []AnswerForm{row("", "a", "1")}}, "answers", KeyQuestionTooFew},
		{"nothing right", QuestionShortAnswer, QuestionForm{Points: "1", Text: "x", Answers: []AnswerForm{row("", "a", "0")}}, "answers", KeyQuestionNoRight},
		{"weight out of range", QuestionMultichoice, QuestionForm{Points: "1", Text: "x", Answers: []AnswerForm{row("", "a", "2"), row("", "b", "1")}}, "answer_weight-0", KeyQuestionWeight},
		{"points", QuestionEssay, QuestionForm{Points: "mil", Text: "x"}, "points", KeyQuestionPoints},
		{"range upside down", QuestionNumerical, QuestionForm{Points: "1", Text: "x", Answers: []AnswerForm{{Kind: "range", Min: "5", Max: "3", Weight: "1"}}}, "answer_max-0", KeyQuestionRange},
		{"one pair", QuestionMatch, QuestionForm{Points: "1", Text: "x", Answers: []AnswerForm{{Left: "a", Text: "b"}, {Text: "c"}}}, "answers", KeyQuestionPairs},
		{"true/false without the right one", QuestionTrueFalse, QuestionForm{Points: "1", Text: "x", Correct: "maybe"}, "correct", KeyQuestionCorrect},
		{"bad characters", QuestionEssay, QuestionForm{Points: "1", Text: "x\x00"}, "text", KeyBadCharacters},
		{"unknown type", QuestionType("cloze"), QuestionForm{Points: "1", Text: "x"}, "type", KeyQuestionType},
	} {
		_, errs := ParseQuestion(tt.typ, tt.f, "es", Question{})
		if errs[tt.field] != tt.key {
			t.Errorf("%s: %v, want %s on %s", tt.name, errs, tt.key, tt.field)
		}
	}
}

func TestQuestionFormGivesBackWhatItParses(t *testing.T) {
	for _, q := range []Question{
		{Type: QuestionTrueFalse, Points: 1, Answers: []Answer{{Weight: 0}, {Weight: 1}},
			Texts: map[string]QuestionText{"es": {Text: "¿Falso?", Answers: []AnswerText{{Feedback: "No"}, {Feedback: "Sí"}}}}},
		{Type: QuestionNumerical, Points: 3, Answers: []Answer{{Weight: 1, Value: 3.5, Tolerance: 0.1}, {Weight: 0.5, Range: true, Min: 1, Max: 5}},
			Texts: map[string]QuestionText{"es": {Text: "¿Cuánto?", Answers: []AnswerText{{}, {}}}}},
		{Type: QuestionMatch, Points: 2, Answers: []Answer{{}, {}, {Distractor: true}},
			Texts: map[string]QuestionText{"es": {Text: "Una", Answers: []AnswerText{{Left: "a", Text: "1"}, {Left: "b", Text: "2"}, {Text: "3"}}}}},
		{Type: QuestionShortAnswer, Points: 1, IgnoreAccents: true, Answers: []Answer{{Weight: 1}},
			Texts: map[string]QuestionText{"es": {Text: "Escriba", Format: FormatMarkdown, Answers: []AnswerText{{Text: "policía"}}}}},
	} {
		got, errs := ParseQuestion(q.Type, q.Form("es"), "es", q)
		if len(errs) != 0 {
			t.Errorf("%s: %v", q.Type, errs)
			continue
		}
		if g, w := got.Answers, q.Answers; len(g) != len(w) || got.Points != q.Points || got.IgnoreAccents != q.IgnoreAccents || got.Texts["es"].Format != q.Texts["es"].Format {
			t.Errorf("%s: %+v, want %+v", q.Type, got, q)
		}
		for i := range q.Answers {
			if got.Answers[i] != q.Answers[i] || got.Texts["es"].Answers[i] != q.Texts["es"].Answers[i] {
				t.Errorf("%s answer %d: %+v %+v", q.Type, i, got.Answers[i], got.Texts["es"].Answers[i])
			}
		}
	}
}
