package courses

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// The fixture's first module ends at line 21 of course.yaml; a quiz block put there starts
// at line 22.
const fixtureQuizLine = 22

var fixtureQuizBlock = []string{
	"    quiz:", // 22
	"      titles:",
	`        es: "Cuestionario"`,
	`        en: "Quiz"`,
	`        pt: "Questionário"`, // 26
	"      pass_mark: 80",
	"      attempts: 2",
	"      time_limit: 1h30m",
	"      navigation: sequential", // 30
	"      shuffle: false",
	"      review_feedback: after_close",
	`      closes_at: "2027-01-31T23:00:00-03:00"`,
}

var fixtureGIFT = map[string]string{
	"es": "$CATEGORY: Conceptos\n\n::Uno::¿Dos más dos?{=cuatro ~tres ~cinco}\n\n::Dos::La Tierra es redonda.{T}\n",
	"en": "$CATEGORY: Conceptos\n\n::One::Two plus two?{=four ~three ~five}\n\n::Two::The Earth is round.{T}\n",
	"pt": "$CATEGORY: Conceptos\n\n::Um::Dois mais dois?{=quatro ~três ~cinco}\n\n::Dois::A Terra é redonda.{T}\n",
}

// fixtureWithQuiz is the fixture with a quiz in its first module, block and GIFT files as
// given (a nil block, no quiz: block; a missing language, no file).
func fixtureWithQuiz(t *testing.T, block []string, gift map[string]string) fstest.MapFS {
	t.Helper()
	fsys := fixtureFS(t)
	lines := strings.Split(string(fsys["course.yaml"].Data), "\n")
	if !strings.HasPrefix(lines[fixtureQuizLine-1], "  - folder: 02-going-further") {
		t.Fatalf("the fixture's course.yaml moved: line %d is %q", fixtureQuizLine, lines[fixtureQuizLine-1])
	}
	lines = append(lines[:fixtureQuizLine-1], append(append([]string{}, block...), lines[fixtureQuizLine-1:]...)...)
	fsys["course.yaml"] = &fstest.MapFile{Data: []byte(strings.Join(lines, "\n"))}
	for lang, src := range gift {
		fsys["01-first-steps/quiz."+lang+".gift"] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func TestReadBundleReadsAModulesQuizAndItsQuestionsInEveryLanguage(t *testing.T) {
	b, errs := ReadBundle(fixtureWithQuiz(t, fixtureQuizBlock, fixtureGIFT))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	m := b.Course.Modules[0]
	want := DefaultQuizSettings()
	want.PassMark, want.Attempts, want.TimeLimit = 80, 2, 90*time.Minute
	want.Navigation, want.ShuffleOptions, want.ReviewFeedback = NavigationSequential, false, ReviewAfterClose
	want.ClosesAt = time.Date(2027, 2, 1, 2, 0, 0, 0, time.UTC)
	wantQuiz := Quiz{Key: BundleQuizKey, Position: 2, Titles: map[string]string{"es": "Cuestionario", "en": "Quiz", "pt": "Questionário"}, Settings: want}
	if len(m.Quizzes) != 1 || !reflect.DeepEqual(m.Quizzes[0], wantQuiz) {
		t.Errorf("quizzes %+v\nwant %+v", m.Quizzes, wantQuiz)
	}
	if b.Course.Modules[1].Quizzes != nil {
		t.Errorf("a module without a quiz block has quizzes: %+v", b.Course.Modules[1].Quizzes)
	}
	qs := b.Questions["01-first-steps"]
	if len(qs) != 2 || len(b.Questions) != 1 {
		t.Fatalf("questions %+v", b.Questions)
	}
	if qs[0].Category != "Conceptos" || qs[0].Question.Type != QuestionMultichoice || qs[1].Question.Type != QuestionTrueFalse {
		t.Errorf("questions %+v", qs)
	}
	if got := qs[0].Question.Texts["pt"].Text; got != "Dois mais dois?" {
		t.Errorf("Portuguese text %q", got)
	}

	files, err := WriteBundle(b)
	if err != nil {
		t.Fatal(err)
	}
	again, errs := ReadBundle(mapFS(files))
	if len(errs) > 0 {
		t.Fatalf("written bundle does not read back: %v\n%s", errs, files["course.yaml"])
	}
	if !reflect.DeepEqual(again, b) {
		t.Errorf("round trip changed the bundle:\n got %+v\nwant %+v", again, b)
	}
	yml := string(files["course.yaml"])
	for _, line := range []string{"    quiz:\n", "      pass_mark: 80\n", "      time_limit: 1h30m\n", `      closes_at: "2027-02-01T02:00:00Z"` + "\n"} {
		if !strings.Contains(yml, line) {
			t.Errorf("course.yaml lacks %q:\n%s", line, yml)
		}
	}
	if strings.Contains(yml, "grace:") || strings.Contains(yml, "per_page:") {
		t.Errorf("default settings written:\n%s", yml)
	}
}

func TestReadBundleTakesACategorylessQuestionIntoTheModulesCategory(t *testing.T) {
	gift := map[string]string{"es": "¿Sí?{T}\n\n¿No?{F}\n"}
	block := []string{"    quiz:", "      titles: {es: Uno, en: One, pt: Um}", "      pass_mark: 50"}
	b, errs := ReadBundle(fixtureWithQuiz(t, block, gift))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	qs := b.Questions["01-first-steps"]
	if len(qs) != 2 || qs[0].Category != "01-first-steps" {
		t.Errorf("questions %+v", qs)
	}
	if s := b.Course.Modules[0].Quizzes[0].Settings; s.PassMark != 50 || s.Grace != 2*time.Minute || !s.Required {
		t.Errorf("unsaid settings are not the defaults: %+v", s)
	}
}

func TestReadBundleReportsQuizProblemsWithTheirFileAndLine(t *testing.T) {
	type problem struct {
		File string
		Line int
		Key  string
	}
	const yml, es, en, pt = "course.yaml", "01-first-steps/quiz.es.gift", "01-first-steps/quiz.en.gift", "01-first-steps/quiz.pt.gift"
	withBlock := func(extra ...string) []string {
		return append([]string{"    quiz:", "      titles: {es: Uno, en: One, pt: Um}"}, extra...)
	}
	tests := []struct {
		name  string
		block []string
		gift  map[string]string
		want  []problem
	}{
		{"no GIFT in the default language", withBlock(), map[string]string{"en": fixtureGIFT["en"]},
			[]problem{{es, 0, "bundle.quiz_gift_missing"}}},
		{"no GIFT at all", withBlock(), nil,
			[]problem{{es, 0, "bundle.quiz_gift_missing"}}},
		{"GIFT without a quiz block", nil, fixtureGIFT,
			[]problem{{en, 0, "bundle.quiz_unlisted"}, {es, 0, "bundle.quiz_unlisted"}, {pt, 0, "bundle.quiz_unlisted"}}},
		{"bad settings", withBlock(
			"      pass_mark: 120",     // 24
			"      attempts: many",     // 25
			"      time_limit: 20",     // 26
			"      navigation: random", // 27
			"      grade_method: best", // 28
			"      review_answers: later",
			"      shuffle: sometimes", // 30
			"      per_page: 99",
			`      opens_at: "2027-02-01T00:00:00Z"`,
			`      closes_at: "2027-01-01T00:00:00Z"`,
			"      colour: red", // 34
			"      grace: 2h",
		), fixtureGIFT, []problem{
			{yml, 24, "bundle.quiz_pass_mark"},
			{yml, 25, "bundle.field_invalid"},
			{yml, 26, "bundle.quiz_duration_invalid"},
			{yml, 27, "bundle.quiz_navigation"},
			{yml, 28, "bundle.quiz_grade_method"},
			{yml, 29, "bundle.quiz_review"},
			{yml, 30, "bundle.field_invalid"},
			{yml, 31, "bundle.quiz_per_page"},
			{yml, 33, "bundle.quiz_closes_before_opens"},
			{yml, 34, "bundle.unknown_field"},
			{yml, 35, "bundle.quiz_grace"},
		}},
		{"a title missing and a bad date", []string{"    quiz:", "      titles: {es: Uno, en: One}", "      opens_at: mañana"}, fixtureGIFT,
			[]problem{{yml, 23, "bundle.quiz_title_missing"}, {yml, 24, "bundle.quiz_date_invalid"}}},
		{"no titles", []string{"    quiz:", "      pass_mark: 50"}, fixtureGIFT,
			[]problem{{yml, 23, "bundle.field_required"}}},
		{"a GIFT syntax error on its line", withBlock(), map[string]string{
			"es": fixtureGIFT["es"],
			"en": "$CATEGORY: Conceptos\n\n::One::Two plus two?{=four ~three ~five}\n\n::Two::The Earth\nis round.{T\n",
			"pt": fixtureGIFT["pt"],
		}, []problem{{en, 6, "gift.unclosed_brace"}}},
		{"languages that disagree", withBlock(), map[string]string{
			"es": fixtureGIFT["es"],
			"en": fixtureGIFT["en"],
			"pt": "$CATEGORY: Conceptos\n\n::Um::Dois mais dois?{=quatro ~três}\n\n::Dois::A Terra é redonda.{T}\n",
		}, []problem{{pt, 3, "gift.merge_answers_differ"}}},
		{"questions in fewer languages' files", withBlock(), map[string]string{
			"es": fixtureGIFT["es"],
			"en": "$CATEGORY: Conceptos\n\n::One::Two plus two?{=four ~three ~five}\n",
		}, []problem{{en, 0, "gift.merge_count"}}},
		{"an empty GIFT file", withBlock(), map[string]string{"es": "// nothing yet\n"},
			[]problem{{es, 0, "bundle.quiz_empty"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, errs := ReadBundle(fixtureWithQuiz(t, tt.block, tt.gift))
			var got []problem
			for _, e := range errs {
				got = append(got, problem{e.File, e.Line, e.Key})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", problemList(got), problemList(tt.want))
			}
			if !reflect.DeepEqual(b, Bundle{}) {
				t.Errorf("a bundle with problems was returned")
			}
		})
	}
}

func TestReadBundleDoesNotTakeAGIFTFileForALesson(t *testing.T) {
	fsys := fixtureWithQuiz(t, []string{"    quiz:", "      titles: {es: Uno, en: One, pt: Um}"}, map[string]string{"es": "¿Sí?{T}\n"})
	fsys["01-first-steps/quiz.fr.gift"] = &fstest.MapFile{Data: []byte("Oui?{T}\n")}
	_, errs := ReadBundle(fsys)
	if len(errs) != 1 || errs[0].Key != "bundle.lesson_name_invalid" || errs[0].File != "01-first-steps/quiz.fr.gift" {
		t.Errorf("errors %v", errs)
	}
}

func TestBundleDurationWritesWhatInstructorsWrite(t *testing.T) {
	for d, want := range map[time.Duration]string{20 * time.Minute: "20m", 90 * time.Minute: "1h30m", time.Hour: "1h",
		45 * time.Second: "45s", 0: "0s", 1500 * time.Millisecond: "1.5s"} {
		if got := bundleDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
		if back, err := time.ParseDuration(bundleDuration(d)); err != nil || back != d {
			t.Errorf("%v does not read back: %v %v", d, back, err)
		}
	}
}

// Every module of the curriculum ends with a quiz that counts for the course, and the
// general course closes with a timed final exam.
func TestEveryCatalogModuleHasARequiredQuizOfFiveQuestionsOrMore(t *testing.T) {
	for _, dir := range catalogCourses(t) {
		b := readBundleDir(t, dir)
		for _, m := range b.Course.Modules {
			if len(m.Quizzes) != 1 {
				t.Errorf("%s/%s: %d quizzes, want 1", dir, m.Key, len(m.Quizzes))
				continue
			}
			q := m.Quizzes[0]
			if n := len(b.Questions[m.Key]); n < 5 {
				t.Errorf("%s/%s: %d questions, want 5 or more", dir, m.Key, n)
			}
			if !q.Settings.Required || q.Position != len(m.Lessons) {
				t.Errorf("%s/%s: quiz not required or not at the module's end: %+v", dir, m.Key, q)
			}
			for _, lang := range b.Course.Languages() {
				if q.Titles[lang] == "" {
					t.Errorf("%s/%s: quiz has no %s title", dir, m.Key, lang)
				}
			}
		}
	}
	b := readBundleDir(t, "catalog/citizen-security-human-development")
	last := b.Course.Modules[len(b.Course.Modules)-1].Quizzes[0]
	if last.Settings.TimeLimit != 20*time.Minute {
		t.Errorf("the general course's final quiz has time limit %v, want 20m", last.Settings.TimeLimit)
	}
}
