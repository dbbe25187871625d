package courses

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// giftSummary says what a question holds in one line, so that tables of expectations read
// like the GIFT they come from.
func giftSummary(gq GIFTQuestion, lang string) string {
	q := gq.Question
	t := q.Texts[lang]
	var b strings.Builder
	b.WriteString(string(q.Type))
	if q.Type == QuestionMultichoice {
		b.WriteString(map[bool]string{true: " single", false: " multiple"}[q.Single])
	}
	if q.Points != 1 && q.Type != QuestionDescription || q.Type == QuestionDescription && q.Points != 0 {
		fmt.Fprintf(&b, " points=%g", q.Points)
	}
	if q.IgnoreAccents {
		b.WriteString(" ignore-accents")
	}
	if gq.Category != "" {
		b.WriteString(" $" + gq.Category)
	}
	b.WriteString(" | ")
	if t.Name != "" {
		b.WriteString("::" + t.Name + "::")
	}
	if t.Format != "" {
		b.WriteString("[" + string(t.Format) + "]")
	}
	b.WriteString(t.Text)
	var answers []string
	for i, a := range q.Answers {
		at := t.Answers[i]
		var s string
		w := strconv.FormatFloat(a.Weight, 'g', -1, 64)
		switch q.Type {
		case QuestionTrueFalse:
			s = []string{"true", "false"}[i] + " " + w
		case QuestionNumerical:
			switch {
			case a.AnyNumber():
				s = "*"
			case a.Range:
				s = fmt.Sprintf("%g..%g", a.Min, a.Max)
			default:
				s = fmt.Sprintf("%g±%g", a.Value, a.Tolerance)
			}
			s += " " + w
		case QuestionMatch:
			s = at.Left + "->" + at.Text
		default:
			s = at.Text + " " + w
		}
		if at.Feedback != "" {
			s += " #" + at.Feedback
		}
		answers = append(answers, s)
	}
	if len(answers) > 0 {
		b.WriteString(" | " + strings.Join(answers, "; "))
	}
	if t.GeneralFeedback != "" {
		b.WriteString(" | ####" + t.GeneralFeedback)
	}
	return b.String()
}

func readMoodleExamples(t *testing.T) []byte {
	t.Helper()
	src, err := os.ReadFile("testdata/gift/moodle-examples.gift")
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestParseGIFTReadsEveryMoodleExampleAsMoodleDoes(t *testing.T) {
	want := []struct {
		line    int
		summary string
	}{
		{8, "multichoice single | Who's buried in Grant's tomb? | Grant 0; Jefferson 0; no one 1"},
		{10, "multichoice single | Grant is _____ in Grant's tomb. | buried 0; entombed 1; living 0"},
		{12, "truefalse | Grant is buried in Grant's tomb. | true 0; false 1"},
		{14, "shortanswer | Who's buried in Grant's tomb? | no one 1; nobody 1"},
		{16, "numerical | When was Ulysses S. Grant born? | 1822±1 1"},
		{25, "multichoice single | Who's buried in Grant's tomb? | Grant 0; Jefferson 0; no one 1"},
		{27, "multichoice single | Grant is _____ in Grant's tomb. | buried 0; entombed 1; living 0"},
		{29, "multichoice single | The American holiday of Thanksgiving is celebrated on the _____ Thursday of November. | second 0; third 0; fourth 1"},
		{35, "multichoice single | Japanese characters originally came from what country? | India 0; China 1; Korea 0; Egypt 0"},
		{43, "shortanswer | Who's buried in Grant's tomb? | no one 1; nobody 1"},
		{45, "shortanswer | Two plus two equals _____. | four 1; 4 1"},
		{49, "truefalse | Grant is buried in Grant's tomb. | true 0; false 1"},
		{51, "truefalse | The sun rises in the east. | true 1; false 0"},
		{55, "match | Matching Question. | subquestion1->subanswer1; subquestion2->subanswer2; subquestion3->subanswer3"},
		{61, "match | Match the following countries with their corresponding capitals. | Canada->Ottawa; Italy->Rome; Japan->Tokyo; India->New Delhi"},
		{70, "numerical | When was Ulysses S. Grant born? | 1822±0 1"},
		{72, "numerical | What is the value of pi (to 3 decimal places)? _____. | 3.1415±0.0005 1"},
		{74, "numerical | What is the value of pi (to 3 decimal places)? _____. | 3.141..3.142 1"},
		{76, "numerical | When was Ulysses S. Grant born? | 1822±0 1; 1822±2 0.5"},
		{85, "numerical | What's 2 plus 2? | 4±0 1"},
		{90, "shortanswer | ::Kanji Origins::Japanese characters originally\ncame from what country? | China 1"},
		{93, "multichoice single | ::Thanksgiving Date::The American holiday of Thanksgiving is\ncelebrated on the _____ Thursday of November. | second 0; third 0; fourth 1"},
		{98, "multichoice single | What's the answer to this multiple-choice question? | wrong answer 0 #feedback comment on the wrong answer; another wrong answer 0 #feedback comment on this wrong answer; right answer 1 #Very good!"},
		{103, "shortanswer | Who's buried in Grant's tomb? | no one 1 #excellent answer!; nobody 1 #excellent answer!"},
		{108, "shortanswer | [markdown]Who's buried in **Grant's tomb**? | no one 1 #excellent answer!; nobody 1 #excellent answer!"},
		{113, "truefalse | Grant is buried in Grant's tomb. | true 0 #No one is buried in Grant's tomb.; false 1"},
		{115, "multichoice single | Difficult question. | wrong answer 0; half credit answer 0.5; full credit answer 1"},
		{117, "multichoice single | ::Jesus' hometown::Jesus Christ was from _____. | Jerusalem 0 #This was an important city, but the wrong answer.; Bethlehem 0.25 #He was born here, but not raised here.; Galilee 0.5 #You need to be more specific.; Nazareth 1 #Yes! That's right!"},
		{123, "shortanswer | ::Jesus' hometown::Jesus Christ was from | Nazareth 1 #Yes! That's right!; Nazereth 0.75 #Right, but misspelled.; Bethlehem 0.25 #He was born here, but not raised here."},
		{130, "multichoice multiple | What two people are entombed in Grant's tomb? | No one 0; Grant 0.5; Grant's wife 0.5; Grant's father 0"},
		{136, "multichoice multiple | What two people are entombed in Grant's tomb? | No one -0.5; Grant 0.5; Grant's wife 0.5; Grant's father -0.5"},
		{143, "multichoice single | Which answer equals 5? | = 2 + 2 0; = 2 + 3 1; = 2 + 4 0"},
		{148, "multichoice single | ::GIFT Control Characters::Which of the following is NOT a control character for the GIFT import format? | ~ 0 #~ is a control character.; = 0 #= is a control character.; # 0 ## is a control character.; { 0 #{ is a control character.; } 0 #} is a control character.; \\ 1 #Correct! \\ (backslash) is not a control character. BUT,\nit is used to escape the control characters. So, to specify\na literal backslash, you must escape it with a backslash\n(as shown in this example)."},
		{167, "multichoice single | Who's buried in Grant's tomb? | Grant 0; Jefferson 0; no one 1"},
		{169, "multichoice single | Grant is _____ in Grant's tomb. | buried 0; entombed 1; living 0"},
		{171, "truefalse | Grant is buried in Grant's tomb. | true 0; false 1"},
		{173, "shortanswer | Who's buried in Grant's tomb? | no one 1; nobody 1"},
		{175, "numerical | When was Ulysses S. Grant born? | 1822±5 1"},
		{177, "match | Match the following countries with their corresponding\ncapitals. | Canada->Ottawa; Italy->Rome; Japan->Tokyo"},
		{184, "multichoice single | ::Grant's Tomb::Grant is _____ in Grant's tomb. | buried 0 #No one is buried there.; entombed 1 #Right answer!; living 0 #We hope not!"},
		{190, "multichoice single | Difficult multiple choice question. | wrong answer 0 #comment on wrong answer; half credit answer 0.5 #comment on answer; full credit answer 1 #well done!"},
		{195, "shortanswer | ::Jesus' hometown (Short answer ex.)::Jesus Christ was from _____. | Nazareth 1 #Yes! That's right!; Nazereth 0.75 #Right, but misspelled.; Bethlehem 0.25 #He was born here, but not raised here."},
		{202, "numerical | ::Numerical example::When was Ulysses S. Grant born? | 1822±0 1 #Correct! 100% credit; 1822±2 0.5 #He was born in 1822.\nYou get 50% credit for being close."},
	}
	qs, errs := ParseGIFT(readMoodleExamples(t), "en")
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if len(qs) != len(want) {
		t.Fatalf("%d questions, want %d", len(qs), len(want))
	}
	for i, w := range want {
		if got := giftSummary(qs[i], "en"); qs[i].Line != w.line || got != w.summary {
			t.Errorf("question %d:\n got %d %q\nwant %d %q", i+1, qs[i].Line, got, w.line, w.summary)
		}
	}
}

// giftWithoutLines is qs as a round trip must give them back: lines are where a file put them.
func giftWithoutLines(qs []GIFTQuestion) []GIFTQuestion {
	out := make([]GIFTQuestion, len(qs))
	for i, q := range qs {
		q.Line = 0
		out[i] = q
	}
	return out
}

func giftRoundTrip(t *testing.T, qs []GIFTQuestion, lang string) {
	t.Helper()
	out := WriteGIFT(qs, lang)
	back, errs := ParseGIFT(out, lang)
	if len(errs) > 0 {
		t.Fatalf("the written file has errors %v:\n%s", errs, out)
	}
	if !reflect.DeepEqual(giftWithoutLines(back), giftWithoutLines(qs)) {
		for i := range min(len(back), len(qs)) {
			if !reflect.DeepEqual(back[i].Question, qs[i].Question) || back[i].Category != qs[i].Category {
				t.Errorf("question %d:\n got %s\nwant %s", i+1, giftSummary(back[i], lang), giftSummary(qs[i], lang))
			}
		}
		t.Fatalf("%d questions back from %d:\n%s", len(back), len(qs), out)
	}
}

func TestWriteGIFTRoundTripsEveryMoodleExample(t *testing.T) {
	qs, _ := ParseGIFT(readMoodleExamples(t), "en")
	giftRoundTrip(t, qs, "en")
}

// Where Moodle's documentation and its importer disagree, Aula reads as the importer does.
func TestParseGIFTFollowsMoodlesImporter(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"true, feedback if wrong then if right", "The sky is blue.{T#Look again.#Yes.}",
			"truefalse | The sky is blue. | true 1 #Yes.; false 0 #Look again."},
		{"false, feedback if wrong then if right", "The sky is green.{FALSE#Look again.#Right.}",
			"truefalse | The sky is green. | true 0 #Look again.; false 1 #Right."},
		{"true/false words are upper-case", "The sky is blue.{true}", "shortanswer | The sky is blue. | true 1"},
		{"true/false with general feedback", "Q?{T####Because.}", "truefalse | Q? | true 1; false 0 | ####Because."},
		{"missing word keeps the text after the gap", "The capital of France is {=Paris =París} indeed.",
			"shortanswer | The capital of France is _____ indeed. | Paris 1; París 1"},
		{"a gap at the start", "{~Lima =Quito} is the capital of Ecuador.",
			"multichoice single | _____ is the capital of Ecuador. | Lima 0; Quito 1"},
		{"answers at the end leave no gap", "Capital of Peru? {~Quito =Lima}", "multichoice single | Capital of Peru? | Quito 0; Lima 1"},
		{"a short answer's first answer needs no =", "Capital of France?{Paris =París}", "shortanswer | Capital of France? | Paris 1; París 1"},
		{"short answer weights and wildcards", "Who patrols?{=*polic* =%50%guard#Close.}",
			"shortanswer | Who patrols? | *polic* 1; guard 0.5 #Close."},
		{"several right answers without = are multiple", "Pick two.{~%50%a ~%50%b ~%-100%c}",
			"multichoice multiple | Pick two. | a 0.5; b 0.5; c -1"},
		{"one = makes it single", "Pick.{=a ~%100%b ~c}", "multichoice single | Pick. | a 1; b 1; c 0"},
		{"a weight's point may end it", "Pick.{~%50.%a ~%33.3%b =c}", "multichoice single | Pick. | a 0.5; b 0.333; c 1"},
		{"an = after = is not a weight", "Pick.{=%50%a ~b}", "multichoice single | Pick. | %50%a 1; b 0"},
		{"numerical answers and any other number", "Pi?{#=%100%3.14:0 =%50%3.1:0.1 ~wrong}",
			"numerical | Pi? | 3.14±0 1; 3.1±0.1 0.5; * 0"},
		{"any other number's feedback", "Pi?{#3.14 ~#Not even close.}", "numerical | Pi? | 3.14±0 1; * 0 #Not even close."},
		{"numerical range", "Between?{#1..5}", "numerical | Between? | 1..5 1"},
		{"numerical negative and exponent", "Cold?{#-40:1e-1}", "numerical | Cold? | -40±0.1 1"},
		{"matching with a distractor", "Match.{=a -> 1 =b -> 2 = -> 3}", "match | Match. | a->1; b->2; ->3"},
		{"a matching right side keeps #", "Match.{=a -> 1#x =b -> 2}", "match | Match. | a->1#x; b->2"},
		{"essay", "Write about patrols.{}", "essay | Write about patrols."},
		{"essay with general feedback", "Write.{####Mention the law.}", "essay | Write. | ####Mention the law."},
		{"description", "Read this first.", "description | Read this first."},
		{"escapes", `Use \{braces\}, \: \# \= \~ \\ and a\nnew line.{=x}`,
			"shortanswer | Use {braces}, : # = ~ \\ and a\nnew line. | x 1"},
		{"a backslash before anything else stays", `C:\Users {=a\b}`, "shortanswer | C:\\Users | a\\b 1"},
		{"html is kept raw", "[html]<p>Hi <b>there</b></p>{=a#<i>yes</i>}", "shortanswer | [html]<p>Hi <b>there</b></p> | a 1 #<i>yes</i>"},
		{"an answer may repeat its question's format", "[plain]Q{~[plain]a =b}", "multichoice single | [plain]Q | a 0; b 1"},
		{"[moodle] is the default", "[moodle]Q{=a}", "shortanswer | Q | a 1"},
		{"an unknown tag is text", "[note] Q{=a}", "shortanswer | [note] Q | a 1"},
		{"general feedback", "Q{=a =b####Both work.}", "shortanswer | Q | a 1; b 1 | ####Both work."},
		{"comments inside a question", "Q{\n// a comment\n=a\n}", "shortanswer | Q | a 1"},
		{"lines are trimmed and joined", "\t  First line\n   second line {\n\t=a\n\t}", "shortanswer | First line\nsecond line | a 1"},
		{"title", "::Tomb::Who?{=no one}", "shortanswer | ::Tomb::Who? | no one 1"},
		{"escaped colons in a title", `::A\: b::Who?{=x}`, "shortanswer | ::A: b::Who? | x 1"},
		{"an unclosed title is text", "::Who?{=x}", "shortanswer | Who? | x 1"},
		{"category", "$CATEGORY: police/patrol\n\nQ{=a}", "shortanswer $police/patrol | Q | a 1"},
		{"directive", "// aula: points=2.5 ignore-accents\nQ{=policía}", "shortanswer points=2.5 ignore-accents | Q | policía 1"},
		{"other comments before the directive", "// question: 12\n// aula: points=0\n// [tag:x]\nQ{=a}", "shortanswer points=0 | Q | a 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs, errs := ParseGIFT([]byte(tt.src), "es")
			if len(errs) > 0 || len(qs) != 1 {
				t.Fatalf("%d questions, errors %v", len(qs), errs)
			}
			if got := giftSummary(qs[0], "es"); got != tt.want {
				t.Errorf("\n got %q\nwant %q", got, tt.want)
			}
			giftRoundTrip(t, qs, "es")
		})
	}
}

func TestParseGIFTMapsAnswersAsTheQuestionModelSays(t *testing.T) {
	qs, errs := ParseGIFT([]byte("Match.{=a -> 1 =b -> 2 = -> 3}\n\nPi?{#3.14 ~#No.}\n\nTrue?{F}\n\nEssay.{}\n\nText."), "pt")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	match := qs[0].Question
	if !match.Answers[2].Distractor || match.Answers[0].Distractor || match.Texts["pt"].Answers[2].Left != "" {
		t.Errorf("distractor: %+v", match.Answers)
	}
	if other := qs[1].Question.Answers[1]; other.Weight != 0 || !other.Range || other.Min != -math.MaxFloat64 || other.Max != math.MaxFloat64 {
		t.Errorf("any other number: %+v", other)
	}
	if tf := qs[2].Question; len(tf.Answers) != 2 || tf.Answers[0].Weight != 0 || tf.Answers[1].Weight != 1 {
		t.Errorf("false: %+v", tf.Answers)
	}
	if qs[3].Question.Points != 1 || qs[4].Question.Points != 0 || qs[3].Question.Answers != nil {
		t.Errorf("points: essay %v, description %v", qs[3].Question.Points, qs[4].Question.Points)
	}
	for _, gq := range qs {
		if len(gq.Question.Texts) != 1 || gq.Question.Texts["pt"].Text == "" {
			t.Errorf("texts: %+v", gq.Question.Texts)
		}
	}
}

func TestParseGIFTReportsEachProblemOnItsLine(t *testing.T) {
	tests := []struct {
		name, src, key string
		line           int
	}{
		{"unclosed brace", "Q1{=a}\n\nQ2 is\n{=a\n=b", "gift.unclosed_brace", 4},
		{"a } that closes nothing", "Q1{=a}\n\nQ2 } x", "gift.unopened_brace", 3},
		{"a second set of answers", "Q{=a} and\n{=b}", "gift.extra_brace", 2},
		{"weight over 100%", "Q{\n~a\n~%150%b\n=c}", "gift.bad_weight", 3},
		{"weight with a decimal comma", "Q{~%50,5%a =b}", "gift.bad_weight", 1},
		{"short-answer weight", "Q{\n=a\n=%abc%b\n=%--5%c}", "gift.bad_weight", 4},
		{"bad number", "// numbers\nQ{#\n=1822:0\n=abc}", "gift.bad_number", 4},
		{"decimal comma in a number", "Q{#3,14}", "gift.bad_number", 1},
		{"bad tolerance", "Q{#3:x}", "gift.bad_number", 1},
		{"negative tolerance", "Q{#3:-1}", "gift.bad_tolerance", 1},
		{"range upside down", "Q{#\n=5..1}", "gift.bad_range", 2},
		{"no number", "Q{#}", "gift.no_answers", 1},
		{"matching with one pair", "Match.{\n=a -> 1\n= -> 2\n}", "gift.match_needs_pairs", 2},
		{"matching pair without arrow", "Match.{\n=a -> 1\n=b 2\n=c -> 3}", "gift.match_needs_arrow", 3},
		{"matching pair with nothing on the right", "Match.{=a -> 1 =b -> }", "gift.empty_answer", 1},
		{"one choice", "Q{~a}", "gift.too_few_answers", 1},
		{"an empty choice", "Q{\n=a\n~\n~b}", "gift.empty_answer", 3},
		{"no right choice", "Q{~a ~b}", "gift.no_right_answer", 1},
		{"no text", "\n\n{=a =b}", "gift.no_text", 3},
		{"a title alone", "::Title::", "gift.no_text", 1},
		{"a format differs", "[html]Q{\n=a\n=b#[markdown]**x**}", "gift.mixed_formats", 3},
		{"general feedback's format differs", "Q{=a####[html]<b>x</b>}", "gift.mixed_formats", 1},
		{"bad points", "// aula: points=abc\nQ{=a}", "gift.bad_points", 1},
		{"too many points", "// aula: points=5000\nQ{=a}", "gift.bad_points", 1},
		{"unknown setting", "Q0.\n\n// aula: points=2 shuffle\nQ{=a}", "gift.bad_directive", 3},
		{"a directive apart from its question", "// aula: points=2\n\nQ{=a}", "gift.misplaced_directive", 1},
		{"a directive inside a question", "Q{\n// aula: points=2\n=a}", "gift.misplaced_directive", 2},
		{"ignore-accents on a choice", "// aula: ignore-accents\nQ{=a ~b}", "gift.ignore_accents_not_shortanswer", 2},
		{"points on a description", "// aula: points=1\nJust text.", "gift.description_points", 2},
		{"category with a question", "$CATEGORY: a\nQ{=a}", "gift.category_alone", 2},
		{"invalid UTF-8", "Q{=a}\n\nQ\xff{=b}", "gift.invalid_utf8", 3},
		{"too many answers", "Q{" + strings.Repeat("=a ", MaxQuestionAnswers+1) + "}", "gift.too_many_answers", 1},
		{"control character", "Q\x01{=a}", "gift.invalid_question", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := ParseGIFT([]byte(tt.src), "en")
			if len(errs) != 1 || errs[0].Key != tt.key || errs[0].Line != tt.line || errs[0].Detail == "" {
				t.Fatalf("errors %+v, want %s on line %d", errs, tt.key, tt.line)
			}
		})
	}
}

func TestParseGIFTReportsEveryBadQuestionAndKeepsTheGoodOnes(t *testing.T) {
	src := "Good one.{=a}\n\nBad {~a\n\nGood two.{T}\n\nBad {#x}\n\nBad{~%200%a =b}\n"
	qs, errs := ParseGIFT([]byte(src), "en")
	if len(qs) != 2 || qs[1].Line != 5 {
		t.Errorf("questions %+v", qs)
	}
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%d %s", e.Line, e.Key))
	}
	if want := "3 gift.unclosed_brace, 7 gift.bad_number, 9 gift.bad_weight"; strings.Join(got, ", ") != want {
		t.Errorf("errors %v, want %s", got, want)
	}
}

func TestParseGIFTIsBounded(t *testing.T) {
	if _, errs := ParseGIFT(make([]byte, MaxGIFTBytes+1), "es"); len(errs) != 1 || errs[0].Key != "gift.too_large" {
		t.Errorf("too large: %v", errs)
	}
	many := strings.Repeat("Q{T}\n\n", MaxGIFTQuestions+1)
	if qs, errs := ParseGIFT([]byte(many), "es"); len(qs) != MaxGIFTQuestions || len(errs) != 1 || errs[0].Key != "gift.too_many_questions" {
		t.Errorf("too many questions: %d, %v", len(qs), errs)
	}
	bad := strings.Repeat("Q{~a}\n\n", 2*MaxGIFTErrors)
	if _, errs := ParseGIFT([]byte(bad), "es"); len(errs) != MaxGIFTErrors+1 || errs[MaxGIFTErrors].Key != "gift.too_many_errors" {
		t.Errorf("too many errors: %d", len(errs))
	}
	if _, errs := ParseGIFT([]byte("Q{T}"), "fr"); len(errs) != 1 || errs[0].Key != "gift.unknown_language" {
		t.Errorf("unknown language: %v", errs)
	}
	if qs, errs := ParseGIFT([]byte("\uFEFFQ{T}\r\n\r\nR{F}\r"), "es"); len(errs) > 0 || len(qs) != 2 || qs[1].Line != 3 {
		t.Errorf("BOM and CRLF: %+v %v", qs, errs)
	}
}

func giftQ(typ QuestionType, t QuestionText, answers ...Answer) Question {
	points := 1.0
	if typ == QuestionDescription {
		points = 0
	}
	return Question{Type: typ, Points: points, Answers: answers, Texts: map[string]QuestionText{"es": t}}
}

func TestWriteGIFTRoundTripsEveryShape(t *testing.T) {
	tricky := "Braces {x}, \\ back\\slash, ~ = # : and\na new line"
	single := giftQ(QuestionMultichoice, QuestionText{Name: "A::B {c} #1", Text: "La " + GIFTGap + " es " + tricky, Format: FormatHTML,
		GeneralFeedback: "[html] starts like a tag #", Answers: []AnswerText{
			{Text: tricky, Feedback: "[markdown]x"}, {Text: "%50% de los casos"}, {Text: "a -> b", Feedback: "=~#"}, {Text: "all right"}}},
		Answer{Weight: 0}, Answer{Weight: 0}, Answer{Weight: 1.0 / 3}, Answer{Weight: 1})
	single.Single = true
	allRight := giftQ(QuestionMultichoice, QuestionText{Text: "Both", Answers: []AnswerText{{Text: "a"}, {Text: "b"}}}, Answer{Weight: 1}, Answer{Weight: 1})
	allRight.Single = true
	multiple := giftQ(QuestionMultichoice, QuestionText{Text: "Pick", Format: FormatMarkdown, Answers: []AnswerText{{Text: "a"}, {Text: "b"}, {Text: "c"}}},
		Answer{Weight: 0.333}, Answer{Weight: 0.667}, Answer{Weight: -1})
	short := giftQ(QuestionShortAnswer, QuestionText{Text: GIFTGap + " patrols", Answers: []AnswerText{{Text: "policía", Feedback: "Sí"}, {Text: "%guard*"}}},
		Answer{Weight: 1}, Answer{Weight: 0.125})
	short.IgnoreAccents, short.Points = true, 2.5
	arrow := giftQ(QuestionShortAnswer, QuestionText{Text: "Arrow?", Answers: []AnswerText{{Text: "a->b", Feedback: "yes"}}}, Answer{Weight: 0.5})
	trueRight := giftQ(QuestionTrueFalse, QuestionText{Text: "True?", Answers: []AnswerText{{Feedback: "Right #1"}, {}}}, Answer{Weight: 1}, Answer{})
	falseRight := giftQ(QuestionTrueFalse, QuestionText{Text: "False?", GeneralFeedback: "gf", Answers: []AnswerText{{Feedback: "No"}, {Feedback: "Yes"}}}, Answer{}, Answer{Weight: 1})
	numbers := giftQ(QuestionNumerical, QuestionText{Text: "How much?", Answers: []AnswerText{{Feedback: "~ any"}, {}, {}, {}, {}, {Feedback: "no"}}},
		giftAnyNumber, Answer{Weight: 1, Value: -3.5, Tolerance: 0.25}, Answer{Weight: 0.5, Range: true, Min: 1e-7, Max: 1e20},
		Answer{Weight: 0.1, Value: 1822}, Answer{Weight: 1, Value: math.Pi, Tolerance: 1e-300}, giftAnyNumber)
	match := giftQ(QuestionMatch, QuestionText{Text: "Match", Format: FormatPlain, GeneralFeedback: "ok", Answers: []AnswerText{
		{Left: "[plain] left", Text: "[html] right"}, {Left: "b-", Text: ">c"}, {Text: "distractor #~="}}},
		Answer{}, Answer{}, Answer{Distractor: true})
	essay := giftQ(QuestionEssay, QuestionText{Text: "Write " + GIFTGap + " here", GeneralFeedback: "Mention {the law}"})
	plainEssay := giftQ(QuestionEssay, QuestionText{Text: "Write."})
	comment := giftQ(QuestionDescription, QuestionText{Text: "// not a comment"})
	title := giftQ(QuestionDescription, QuestionText{Text: "::not a title"})
	category := giftQ(QuestionDescription, QuestionText{Text: "$CATEGORY: not one"})
	tagged := giftQ(QuestionDescription, QuestionText{Text: "[html] is text here", Format: FormatHTML})
	untagged := giftQ(QuestionDescription, QuestionText{Text: "[plain] is text here"})
	worth := giftQ(QuestionEssay, QuestionText{Text: "Long essay"})
	worth.Points = 0
	qs := []GIFTQuestion{
		{Question: single}, {Question: allRight}, {Category: "police/patrol", Question: multiple}, {Category: "police/patrol", Question: short},
		{Category: `odd \n category`, Question: arrow}, {Question: trueRight}, {Question: falseRight}, {Category: "c", Question: numbers},
		{Question: match}, {Question: essay}, {Question: plainEssay}, {Question: comment}, {Question: title}, {Question: category},
		{Question: tagged}, {Question: untagged}, {Question: worth},
	}
	for _, q := range qs {
		if err := q.Question.Validate(); err != nil {
			t.Fatalf("%s: %v", giftSummary(q, "es"), err)
		}
	}
	giftRoundTrip(t, qs, "es")
}

func TestWriteGIFTSaysPointsAndAccentsOnlyWhenGIFTCannot(t *testing.T) {
	plain := giftQ(QuestionShortAnswer, QuestionText{Text: "Q", Answers: []AnswerText{{Text: "a"}}}, Answer{Weight: 1})
	worth2 := plain
	worth2.Points = 2
	accents := plain
	accents.IgnoreAccents = true
	tests := []struct {
		q    Question
		want string
	}{
		{plain, ""},
		{giftQ(QuestionDescription, QuestionText{Text: "D"}), ""},
		{worth2, "// aula: points=2\n"},
		{accents, "// aula: ignore-accents\n"},
	}
	for _, tt := range tests {
		out := string(WriteGIFT([]GIFTQuestion{{Question: tt.q}}, "es"))
		if got, _, _ := strings.Cut(out, "aula: "); tt.want == "" && strings.Contains(out, "aula:") || tt.want != "" && !strings.HasPrefix(out, tt.want) {
			t.Errorf("%s: %q (%q)", giftSummary(GIFTQuestion{Question: tt.q}, "es"), out, got)
		}
	}
}

func TestWriteGIFTFallsBackToAnotherLanguage(t *testing.T) {
	q := giftQ(QuestionEssay, QuestionText{Text: "Escriba."})
	if out := string(WriteGIFT([]GIFTQuestion{{Question: q}}, "en")); out != "Escriba.{}\n\n" {
		t.Errorf("%q", out)
	}
}

func TestMergeGIFTLanguagesJoinsTheTextsOfEachLanguage(t *testing.T) {
	es, _ := ParseGIFT([]byte("$CATEGORY: patrulla\n\n::T1::¿Quién patrulla?{=policía#Sí}\n\nPi{#3.14:0.01}"), "es")
	en, _ := ParseGIFT([]byte("$CATEGORY: patrulla\n\n::T1::Who patrols?{=police#Yes}\n\nPi{#3.14:0.01}"), "en")
	merged, errs := MergeGIFTLanguages(map[string][]GIFTQuestion{"es": es, "en": en}, "es")
	if len(errs) > 0 || len(merged) != 2 {
		t.Fatalf("%d questions, %v", len(merged), errs)
	}
	q := merged[0].Question
	if q.Texts["es"].Answers[0].Text != "policía" || q.Texts["en"].Answers[0].Feedback != "Yes" || merged[0].Category != "patrulla" || merged[0].Line != es[0].Line {
		t.Errorf("merged: %+v", merged[0])
	}
	if err := q.Validate(); err != nil {
		t.Error(err)
	}
	if len(es[0].Question.Texts) != 1 {
		t.Error("merging changed the files' questions")
	}
}

func TestMergeGIFTLanguagesReportsWhatDiffersOnTheOtherFilesLine(t *testing.T) {
	base := "Q1{=a}\n\nQ2{~a =b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{T}"
	tests := []struct {
		name, other, key string
		line             int
	}{
		{"type", "Q1{=a}\n\nQ2{=a =b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{T}", "gift.merge_type_differs", 3},
		{"single or multiple", "Q1{=a}\n\nQ2{~a ~%100%b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{T}", "gift.merge_type_differs", 3},
		{"answers", "Q1{=a =b}\n\nQ2{~a =b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{T}", "gift.merge_answers_differ", 1},
		{"weights", "Q1{=a}\n\nQ2{=a ~b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{T}", "gift.merge_weights_differ", 3},
		{"true or false", "Q1{=a}\n\nQ2{~a =b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{F}", "gift.merge_weights_differ", 11},
		{"values", "Q1{=a}\n\nQ2{~a =b}\n\n\nQ3{#1:0.25}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{T}", "gift.merge_values_differ", 6},
		{"points", "// aula: points=2\nQ1{=a}\n\nQ2{~a =b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{T}", "gift.merge_points_differ", 2},
		{"accents", "// aula: ignore-accents\nQ1{=a}\n\nQ2{~a =b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: c\n\nQ5{T}", "gift.merge_accents_differ", 2},
		{"distractors", "Q1{=a}\n\nQ2{~a =b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 = -> 3 =y -> 2}\n\n$CATEGORY: c\n\nQ5{T}", "gift.merge_distractors_differ", 7},
		{"category", "Q1{=a}\n\nQ2{~a =b}\n\nQ3{#1:0.5}\n\nQ4{=x -> 1 =y -> 2 = -> 3}\n\n$CATEGORY: d\n\nQ5{T}", "gift.merge_category_differs", 11},
		{"one question more", base + "\n\nQ6{T}", "gift.merge_count", 13},
		{"one question less", "Q1{=a}", "gift.merge_count", 0},
	}
	es, errs := ParseGIFT([]byte(base), "es")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, errs := ParseGIFT([]byte(tt.other), "pt")
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			merged, errs := MergeGIFTLanguages(map[string][]GIFTQuestion{"es": es, "pt": pt}, "es")
			if merged != nil || len(errs) != 1 || errs[0].Key != tt.key || errs[0].Line != tt.line || errs[0].Args["Language"] != "pt" {
				t.Fatalf("errors %+v, want %s on line %d", errs, tt.key, tt.line)
			}
		})
	}
	if _, errs := MergeGIFTLanguages(map[string][]GIFTQuestion{"en": es}, "es"); len(errs) != 1 || errs[0].Key != "gift.merge_default_missing" {
		t.Errorf("no default file: %v", errs)
	}
	if _, errs := MergeGIFTLanguages(map[string][]GIFTQuestion{"es": es, "en": es}, "es"); len(errs) == 0 || errs[0].Key != "gift.merge_wrong_language" {
		t.Errorf("a file read in another language: %v", errs)
	}
}

// FuzzParseGIFT: no input makes the parser panic, and whatever it reads without a problem
// it writes back to the very same questions.
func FuzzParseGIFT(f *testing.F) {
	f.Add([]byte("::T::Q {~a#f =b ~%50%c####g}"))
	f.Add([]byte("$CATEGORY: a/b\n\n// aula: points=2 ignore-accents\nQ {=a =%50%b} end."))
	f.Add([]byte("Q{#=%50%1..2#x =3:0.1 ~#no}\n\nM{=a -> b =c -> d = -> e}\n\nT{F#w#r}\n\nE{}\n\n[html]D \\{\\}\\:\\#\\\\\\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		qs, errs := ParseGIFT(src, "es")
		if len(errs) > 0 {
			return
		}
		out := WriteGIFT(qs, "es")
		back, errs := ParseGIFT(out, "es")
		if len(errs) > 0 {
			t.Fatalf("the written file has errors %v:\n%q\nfrom %q", errs, out, src)
		}
		if !reflect.DeepEqual(giftWithoutLines(back), giftWithoutLines(qs)) {
			t.Fatalf("round trip:\n%q\nwritten as\n%q\nread back as %+v, want %+v", src, out, back, qs)
		}
	})
}
