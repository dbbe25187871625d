package courses

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// texts gives a question the same answer texts in Spanish, which is what most tests need.
func texts(answers ...string) map[string]QuestionText {
	t := QuestionText{Text: "¿Pregunta?"}
	for _, a := range answers {
		t.Answers = append(t.Answers, AnswerText{Text: a})
	}
	return map[string]QuestionText{"es": t}
}

func gradeCase(t *testing.T, name string, q Question, r Response, want Mark) {
	t.Helper()
	if got := Grade(q, "es", "es", r); got != want {
		t.Errorf("%s: Grade = %+v, want %+v", name, got, want)
	}
}

func TestGradeMultichoiceSingleIsTheChosenWeightFlooredAtZero(t *testing.T) {
	q := Question{Type: QuestionMultichoice, Single: true, Points: 1,
		Answers: []Answer{{Weight: 1}, {Weight: 0.5}, {Weight: -1}, {Weight: 0}},
		Texts:   texts("a", "b", "c", "d")}
	tests := []struct {
		name    string
		choices []int
		want    float64
	}{
		{"right answer", []int{0}, 1},
		{"half answer", []int{1}, 0.5},
		{"negative weight floored", []int{2}, 0},
		{"wrong answer", []int{3}, 0},
		{"no choice", nil, 0},
		{"two choices to a single question", []int{0, 1}, 0},
		{"the same choice twice", []int{0, 0}, 0},
		{"index out of range", []int{4}, 0},
		{"negative index", []int{-1}, 0},
	}
	for _, tt := range tests {
		gradeCase(t, tt.name, q, Response{Choices: tt.choices}, Mark{Fraction: tt.want})
	}
}

func TestGradeMultichoiceMultipleSumsWeightsCappedAndFloored(t *testing.T) {
	third := 1.0 / 3
	q := Question{Type: QuestionMultichoice, Points: 1,
		Answers: []Answer{{Weight: third}, {Weight: third}, {Weight: third}, {Weight: -0.5}, {Weight: -1}, {Weight: 0.5}},
		Texts:   texts("a", "b", "c", "d", "e", "f")}
	tests := []struct {
		name    string
		choices []int
		want    float64
	}{
		{"three thirds make exactly one", []int{0, 1, 2}, 1},
		{"one third", []int{0}, 0.3333333},
		{"sum capped at one", []int{0, 1, 2, 5}, 1},
		{"a wrong choice takes away", []int{0, 1, 2, 3}, 0.5},
		{"sum floored at zero", []int{0, 4}, 0},
		{"duplicates counted once", []int{0, 0, 0}, 0.3333333},
		{"out-of-range indexes ignored", []int{0, 1, 2, 6, -1, 99}, 1},
		{"nothing chosen", nil, 0},
	}
	for _, tt := range tests {
		gradeCase(t, tt.name, q, Response{Choices: tt.choices}, Mark{Fraction: tt.want})
	}
}

func TestGradeTrueFalseIsLikeSingle(t *testing.T) {
	q := Question{Type: QuestionTrueFalse, Points: 1, Answers: []Answer{{Weight: 0}, {Weight: 1}}, Texts: texts("", "")}
	tests := []struct {
		name    string
		choices []int
		want    float64
	}{
		{"false is right", []int{1}, 1},
		{"true is wrong", []int{0}, 0},
		{"both", []int{0, 1}, 0},
		{"none", nil, 0},
	}
	for _, tt := range tests {
		gradeCase(t, tt.name, q, Response{Choices: tt.choices}, Mark{Fraction: tt.want})
	}
}

func TestGradeShortAnswerMatchesWildcardsCaseAndSpaces(t *testing.T) {
	q := Question{Type: QuestionShortAnswer, Points: 1,
		Answers: []Answer{{Weight: 1}, {Weight: 0.5}, {Weight: 1}, {Weight: 1}, {Weight: -1}, {Weight: 0.8}},
		Texts:   texts("Policía Nacional", "poli*", "a*b", "1+1=(2)?", "ladrón", `5\*`)}
	tests := []struct {
		name, typed string
		want        float64
	}{
		{"exact", "Policía Nacional", 1},
		{"case does not matter", "POLICÍA nacional", 1},
		{"spaces trimmed and collapsed", "  policía    nacional ", 1},
		{"accents matter without IgnoreAccents: falls to the wildcard", "policia nacional", 0.5},
		{"the first matching answer counts", "policía nacional", 1}, // also matches poli* (0.5)
		{"star matches any run", "policeman", 0.5},
		{"star matches nothing", "poli", 0.5},
		{"star in the middle", "a-long-way-to-b", 1},
		{"star in the middle, nothing between", "ab", 1},
		{"star in the middle needs both ends", "abc", 0},
		{"regex metacharacters literal", "1+1=(2)?", 1},
		{"regex metacharacters not a pattern", "11=2", 0},
		{"negative weight floored", "ladrón", 0},
		{"escaped star is a literal star", "5*", 0.8},
		{"escaped star is not a wildcard", "55", 0},
		{"empty", "   ", 0},
		{"unrelated", "bombero", 0},
	}
	for _, tt := range tests {
		gradeCase(t, tt.name, q, Response{Text: tt.typed}, Mark{Fraction: tt.want})
	}
}

func TestGradeShortAnswerFoldsAccentsWhenAsked(t *testing.T) {
	q := Question{Type: QuestionShortAnswer, Points: 1, IgnoreAccents: true,
		Answers: []Answer{{Weight: 1}, {Weight: 1}}, Texts: texts("policía", "São*")}
	tests := []struct {
		name, typed string
		want        float64
	}{
		{"unaccented typed", "policia", 1},
		{"accented typed", "POLICÍA", 1},
		{"other accent typed", "políciá", 1},
		{"wildcard with accents folded", "sao paulo", 1},
		{"still needs the letters", "polcia", 0},
	}
	for _, tt := range tests {
		gradeCase(t, tt.name, q, Response{Text: tt.typed}, Mark{Fraction: tt.want})
	}
}

func TestGradeShortAnswerUsesTheAttemptsLanguage(t *testing.T) {
	q := Question{Type: QuestionShortAnswer, Points: 1, Answers: []Answer{{Weight: 1}}, Texts: map[string]QuestionText{
		"es": {Text: "¿Color?", Answers: []AnswerText{{Text: "rojo"}}},
		"en": {Text: "Colour?", Answers: []AnswerText{{Text: "red"}}},
	}}
	tests := []struct {
		lang, typed string
		want        float64
	}{
		{"en", "red", 1},
		{"en", "rojo", 0},
		{"es", "rojo", 1},
		{"pt", "rojo", 1}, // no Portuguese text: the default language's answers
		{"pt", "red", 0},
	}
	for _, tt := range tests {
		if got := Grade(q, tt.lang, "es", Response{Text: tt.typed}); got.Fraction != tt.want {
			t.Errorf("%s %q: %v, want %v", tt.lang, tt.typed, got.Fraction, tt.want)
		}
	}
}

func TestMatchesAcceptedIsUnicodeCaseInsensitive(t *testing.T) {
	tests := []struct {
		accepted, typed string
		want            bool
	}{
		{"ΣΟΦΊΑ", "σοφία", true},
		{"ñandú", "ÑANDÚ", true},
		{"*", "anything at all", true},
		{"**", "", true},
		{"a**b", "axxb", true},
		{"*a*", "banana", true},
		{"*z*", "banana", false},
		{"a.c", "abc", false},
		{"[ab]", "a", false},
		{"[ab]", "[AB]", true},
		{`a\b`, `a\b`, true},
		{"x*y*z", "xyyz", true},
		{"x*y*z", "xzy", false},
	}
	for _, tt := range tests {
		if got := matchesAccepted(tt.accepted, tt.typed); got != tt.want {
			t.Errorf("matchesAccepted(%q, %q) = %v, want %v", tt.accepted, tt.typed, got, tt.want)
		}
	}
}

func TestParseNumberTakesTheDecimalCommaAndRefusesThousands(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"3,5", 3.5, true},
		{"3.5", 3.5, true},
		{" 3.5 ", 3.5, true},
		{"-0,25", -0.25, true},
		{"+2", 2, true},
		{"−4,5", -4.5, true}, // the minus sign a phone keyboard may give
		{"42", 42, true},
		{",5", 0.5, true},
		{"7.", 7, true},
		{"0", 0, true},
		{"1.000", 1, true}, // one separator is always a decimal one
		{"", 0, false},
		{"   ", 0, false},
		{"3,5.2", 0, false},
		{"1.000.000", 0, false},
		{"1,000.50", 0, false},
		{"1 000", 0, false},
		{"3 ,5", 0, false},
		{"1e3", 0, false},
		{"tres", 0, false},
		{"3.5kg", 0, false},
		{"--3", 0, false},
		{"-", 0, false},
		{".", 0, false},
		{",", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"0x10", 0, false},
		{"٣", 0, false},                     // digits of other scripts are not taken
		{strings.Repeat("1", 65), 0, false}, // longer than any answer needs
	}
	for _, tt := range tests {
		got, ok := ParseNumber(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGradeNumericalToleranceEdgesAndRanges(t *testing.T) {
	q := Question{Type: QuestionNumerical, Points: 1, Answers: []Answer{
		{Weight: 1, Value: 3.1, Tolerance: 0.05},
		{Weight: 0.5, Value: 3, Tolerance: 0.5},
		{Weight: 1, Range: true, Min: 10, Max: 20},
		{Weight: -1, Value: 100},
		{Weight: 1, Value: 0.3},
	}, Texts: texts("", "", "", "", "")}
	tests := []struct {
		name, typed string
		want        float64
	}{
		{"exact value", "3.1", 1},
		{"decimal comma", "3,1", 1},
		{"upper tolerance edge", "3.15", 1},
		{"lower tolerance edge despite float error", "3.05", 1},
		{"just past the edge, wider answer counts", "3.1500001", 0.5},
		{"the first of two matching answers", "3.12", 1},
		{"wider tolerance edge", "2,5", 0.5},
		{"past every tolerance", "2.49", 0},
		{"range lower end", "10", 1},
		{"range upper end", "20", 1},
		{"range inside", "15,5", 1},
		{"range just outside", "20.001", 0},
		{"zero tolerance needs the value, float error aside", "0.3", 1},
		{"negative weight floored", "100", 0},
		{"garbage", "3,1.0", 0},
		{"empty", "", 0},
	}
	for _, tt := range tests {
		gradeCase(t, tt.name, q, Response{Text: tt.typed}, Mark{Fraction: tt.want})
	}
}

func TestNumberMatchesAbsorbsFloatErrorOnly(t *testing.T) {
	sum := 0.1 + 0.2 // 0.30000000000000004
	if !numberMatches(Answer{Value: 0.3}, sum) {
		t.Error("0.1+0.2 does not match 0.3 with no tolerance")
	}
	if numberMatches(Answer{Value: 0.3}, 0.3001) {
		t.Error("0.3001 matches 0.3 with no tolerance")
	}
	if !numberMatches(Answer{Value: 1e6, Tolerance: 1}, 1e6+1) || numberMatches(Answer{Value: 1e6, Tolerance: 1}, 1e6+1.01) {
		t.Error("a tolerance on a large value is not kept")
	}
}

func TestMatchedAnswerGivesTheAnswerWhoseFeedbackShows(t *testing.T) {
	q := Question{Type: QuestionShortAnswer, Points: 1, Answers: []Answer{{Weight: 0.5}, {Weight: 1}, {Weight: 1}},
		Texts: texts("*", "guardia", "guard*")}
	// Moodle's rule: the first matching answer in the author's order, even when a later one
	// would earn more.
	if got := MatchedAnswer(q, "es", "es", Response{Text: "Guardia"}); got != 0 {
		t.Errorf("first match: %d, want 0", got)
	}
	if m := Grade(q, "es", "es", Response{Text: "Guardia"}); m.Fraction != 0.5 {
		t.Errorf("the first match's credit: %v, want 0.5", m.Fraction)
	}
	if got := MatchedAnswer(q, "es", "es", Response{Text: ""}); got != -1 {
		t.Errorf("empty: %d, want -1", got)
	}
	mc := Question{Type: QuestionMultichoice, Answers: []Answer{{Weight: 1}, {}}}
	if got := MatchedAnswer(mc, "es", "es", Response{Choices: []int{0}}); got != -1 {
		t.Errorf("multichoice: %d, want -1", got)
	}
}

func TestGradeMatchCountsRightPairs(t *testing.T) {
	// Left items are answers 0, 1, 3 and 4; answer 2 is a distractor; answers 3 and 4 have
	// the same right text.
	q := Question{Type: QuestionMatch, Points: 1,
		Answers: []Answer{{}, {}, {Distractor: true}, {}, {}},
		Texts: map[string]QuestionText{"es": {Text: "Relacione", Answers: []AnswerText{
			{Left: "911", Text: "Emergencias"}, {Left: "Fiscalía", Text: "Denuncias"}, {Text: "Tránsito"},
			{Left: "Policía", Text: "Seguridad"}, {Left: "Ejército", Text: "Seguridad"},
		}}}}
	tests := []struct {
		name    string
		matches []int
		want    float64
	}{
		{"all right", []int{0, 1, 3, 4}, 1},
		{"duplicate right texts swapped are right", []int{0, 1, 4, 3}, 1},
		{"both on the same duplicate text", []int{0, 1, 3, 3}, 1},
		{"one wrong", []int{1, 1, 3, 4}, 0.75},
		{"a distractor chosen", []int{2, 1, 3, 4}, 0.75},
		{"none chosen", []int{-1, -1, -1, -1}, 0},
		{"missing counted wrong", []int{0, 1}, 0.5},
		{"extra ignored", []int{0, 1, 3, 4, 2, 0}, 1},
		{"out of range wrong", []int{9, 1, 3, 4}, 0.75},
		{"nothing", nil, 0},
	}
	for _, tt := range tests {
		gradeCase(t, tt.name, q, Response{Matches: tt.matches}, Mark{Fraction: tt.want})
	}
	three := Question{Type: QuestionMatch, Answers: []Answer{{}, {}, {}}, Texts: texts("a", "b", "c")}
	gradeCase(t, "two of three rounded", three, Response{Matches: []int{0, 1, 0}}, Mark{Fraction: 0.6666667})
}

func TestGradeEssayWaitsForAPerson(t *testing.T) {
	q := Question{Type: QuestionEssay, Points: 5, Texts: texts()}
	gradeCase(t, "written essay", q, Response{Text: "Mi respuesta"}, Mark{Pending: true})
	gradeCase(t, "empty essay earns 0 at once", q, Response{Text: "  \n "}, Mark{})
}

func TestGradeDescriptionHasNothingToMark(t *testing.T) {
	q := Question{Type: QuestionDescription, Texts: texts()}
	gradeCase(t, "description", q, Response{Text: "x", Choices: []int{0}}, Mark{})
	if q.Graded() {
		t.Error("a description is graded")
	}
}

func TestManualMarkIsBetweenZeroAndOne(t *testing.T) {
	tests := []struct {
		in   float64
		want Mark
		ok   bool
	}{
		{0, Mark{}, true},
		{1, Mark{Fraction: 1}, true},
		{0.75, Mark{Fraction: 0.75}, true},
		{1.0 / 3, Mark{Fraction: 0.3333333}, true},
		{-0.01, Mark{}, false},
		{1.01, Mark{}, false},
		{math.NaN(), Mark{}, false},
		{math.Inf(1), Mark{}, false},
	}
	for _, tt := range tests {
		got, err := ManualMark(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ManualMark(%v) = %+v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("ManualMark(%v): %v is not ErrInvalid", tt.in, err)
		}
	}
}
