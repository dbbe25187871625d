package courses

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// A module's files hold at most one quiz: the quiz: block of its entry in course.yaml
// and its questions in quiz.<language>.gift, one file per language. It comes after the
// module's lessons.

// BundleQuizKey is the key of a module's quiz read from files, so that a re-import finds
// it again and keeps its attempts.
const BundleQuizKey = "quiz"

var quizFilePattern = regexp.MustCompile(`^quiz\.(` + strings.Join(Languages, "|") + `)\.gift$`)

func quizFileName(lang string) string { return "quiz." + lang + ".gift" }

// quizSpec is what a module's quiz: block says.
type quizSpec struct {
	node     *yaml.Node
	titles   map[string]string
	settings QuizSettings
}

// parseQuizBlock reads a quiz: block. What it leaves unsaid is DefaultQuizSettings; the
// settings are checked by QuizSettings.Validate, as the quiz form's are.
func parseQuizBlock(folder string, n *yaml.Node, languages map[string]bool, known bool, errs *bundleErrorList) *quizSpec {
	q := &quizSpec{node: n, titles: map[string]string{}, settings: DefaultQuizSettings()}
	if n.Kind != yaml.MappingNode {
		errs.at(n, "bundle.field_invalid", map[string]any{"Field": "quiz"})
		return q
	}
	fields := mappingFields(n, []string{"titles", "pass_mark", "attempts", "time_limit", "grace", "navigation",
		"grade_method", "shuffle", "per_page", "required", "review_answers", "review_correctness", "review_feedback",
		"opens_at", "closes_at"}, errs)

	if titles := fields["titles"]; titles == nil {
		errs.at(n, "bundle.field_required", map[string]any{"Field": "titles"})
	} else if titles.Kind != yaml.MappingNode {
		errs.at(titles, "bundle.field_invalid", map[string]any{"Field": "titles"})
	} else {
		q.titles = parseTitles(titles, languages, known, errs)
		for _, lang := range Languages {
			if known && languages[lang] && !bundleHas(q.titles, lang) {
				errs.at(titles, "bundle.quiz_title_missing", map[string]any{"Folder": folder, "Language": lang})
			}
		}
	}

	s := &q.settings
	scalar := func(name string) *yaml.Node {
		v := fields[name]
		if v != nil && v.Kind != yaml.ScalarNode {
			errs.at(v, "bundle.field_invalid", map[string]any{"Field": name})
			return nil
		}
		return v
	}
	integer := func(name string, to *int) {
		if v := scalar(name); v != nil && (v.ShortTag() != "!!int" || v.Decode(to) != nil) {
			errs.at(v, "bundle.field_invalid", map[string]any{"Field": name})
		}
	}
	boolean := func(name string, to *bool) {
		if v := scalar(name); v != nil && (v.ShortTag() != "!!bool" || v.Decode(to) != nil) {
			errs.at(v, "bundle.field_invalid", map[string]any{"Field": name})
		}
	}
	duration := func(name string, to *time.Duration) {
		if v := scalar(name); v != nil {
			d, err := time.ParseDuration(v.Value)
			if err != nil {
				errs.at(v, "bundle.quiz_duration_invalid", map[string]any{"Field": name})
				return
			}
			*to = d
		}
	}
	date := func(name string, to *time.Time) {
		if v := scalar(name); v != nil {
			t, err := time.Parse(time.RFC3339, v.Value)
			if err != nil {
				errs.at(v, "bundle.quiz_date_invalid", map[string]any{"Field": name})
				return
			}
			*to = t.UTC() // one zone, so that a bundle read twice compares equal
		}
	}
	word := func(name string, set func(string)) {
		if v := scalar(name); v != nil {
			set(v.Value)
		}
	}
	integer("pass_mark", &s.PassMark)
	integer("attempts", &s.Attempts)
	integer("per_page", &s.PerPage)
	duration("time_limit", &s.TimeLimit)
	duration("grace", &s.Grace)
	boolean("shuffle", &s.ShuffleOptions)
	boolean("required", &s.Required)
	date("opens_at", &s.OpensAt)
	date("closes_at", &s.ClosesAt)
	word("navigation", func(v string) { s.Navigation = Navigation(v) })
	word("grade_method", func(v string) { s.GradeMethod = GradeMethod(v) })
	word("review_answers", func(v string) { s.ReviewAnswers = ReviewWhen(v) })
	word("review_correctness", func(v string) { s.ReviewCorrect = ReviewWhen(v) })
	word("review_feedback", func(v string) { s.ReviewFeedback = ReviewWhen(v) })

	for _, field := range SortKeys(s.Validate()) {
		key := "bundle.quiz_" + strings.TrimPrefix(s.Validate()[field], "error.quiz.")
		errs.at(bundleOr(fields[field], n), key, map[string]any{"Field": field})
	}
	return q
}

// readQuiz checks a module's GIFT files against its quiz: block and returns the quiz and
// its questions, merged across languages, in file order. A question's category is the
// file's $CATEGORY, else the module's folder.
func readQuiz(t *bundleTree, folder string, names []string, spec courseSpec, q *quizSpec, lessons int, errs *bundleErrorList) (Quiz, []BankQuestion, bool) {
	def := spec.course.DefaultLanguage
	files := map[string][]GIFTQuestion{}
	ok := true
	for _, name := range names {
		p := folder + "/" + name
		lang := quizFilePattern.FindStringSubmatch(name)[1]
		if q == nil {
			errs.add(p, 0, "bundle.quiz_unlisted", map[string]any{"Folder": folder})
			ok = false
			continue
		}
		if spec.languagesKnown && !spec.languages[lang] {
			errs.add(p, 0, "bundle.language_unknown", map[string]any{"Language": lang})
			ok = false
			continue
		}
		f := t.files[p]
		if f.tooLarge {
			errs.add(p, 0, "gift.too_large", map[string]any{"Max": MaxGIFTBytes >> 20})
			ok = false
			continue
		}
		qs, problems := ParseGIFT(f.data, lang)
		for _, e := range problems {
			errs.add(p, e.Line, e.Key, e.Args)
		}
		if len(problems) > 0 {
			ok = false
			continue
		}
		files[lang] = qs
	}
	if q == nil {
		return Quiz{}, nil, false
	}
	if t.files[folder+"/"+quizFileName(def)] == nil {
		errs.add(folder+"/"+quizFileName(def), 0, "bundle.quiz_gift_missing", map[string]any{"Language": def})
		return Quiz{}, nil, false
	}
	if !ok {
		return Quiz{}, nil, false
	}
	merged, problems := MergeGIFTLanguages(files, def)
	for _, e := range problems {
		lang, _ := e.Args["Language"].(string)
		if !bundleHas(files, lang) {
			lang = def
		}
		errs.add(folder+"/"+quizFileName(lang), e.Line, e.Key, e.Args)
	}
	if len(problems) > 0 {
		return Quiz{}, nil, false
	}
	switch {
	case len(merged) == 0:
		errs.add(folder+"/"+quizFileName(def), 0, "bundle.quiz_empty", nil)
		return Quiz{}, nil, false
	case len(merged) > MaxQuizItems:
		errs.add(folder+"/"+quizFileName(def), 0, "bundle.quiz_too_many_questions", map[string]any{"Max": MaxQuizItems})
		return Quiz{}, nil, false
	}
	questions := make([]BankQuestion, len(merged))
	for i, gq := range merged {
		questions[i] = BankQuestion{Category: gq.Category, Question: gq.Question}
		if questions[i].Category == "" {
			questions[i].Category = folder
		}
	}
	return Quiz{Key: BundleQuizKey, Position: lessons, Titles: q.titles, Settings: q.settings}, questions, true
}

// quizYAML writes a quiz: block: its titles, its pass mark, and the settings that are not
// DefaultQuizSettings, in the order the README lists them.
func quizYAML(q Quiz, langs []string) *yaml.Node {
	str := func(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
	quoted := func(s string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle}
	}
	integer := func(n int) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(n)} }
	boolean := func(b bool) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: fmt.Sprint(b)} }
	date := func(t time.Time) *yaml.Node { return quoted(t.UTC().Format(time.RFC3339)) }

	titles := &yaml.Node{Kind: yaml.MappingNode}
	for _, lang := range langs {
		titles.Content = append(titles.Content, str(lang), quoted(q.Titles[lang]))
	}
	block := &yaml.Node{Kind: yaml.MappingNode}
	add := func(name string, v *yaml.Node) { block.Content = append(block.Content, str(name), v) }
	add("titles", titles)
	s, d := q.Settings, DefaultQuizSettings()
	add("pass_mark", integer(s.PassMark))
	if s.Attempts != d.Attempts {
		add("attempts", integer(s.Attempts))
	}
	if s.TimeLimit != d.TimeLimit {
		add("time_limit", str(bundleDuration(s.TimeLimit)))
	}
	if s.Grace != d.Grace {
		add("grace", str(bundleDuration(s.Grace)))
	}
	if s.Navigation != d.Navigation {
		add("navigation", str(string(s.Navigation)))
	}
	if s.GradeMethod != d.GradeMethod {
		add("grade_method", str(string(s.GradeMethod)))
	}
	if s.ShuffleOptions != d.ShuffleOptions {
		add("shuffle", boolean(s.ShuffleOptions))
	}
	if s.PerPage != d.PerPage {
		add("per_page", integer(s.PerPage))
	}
	if s.Required != d.Required {
		add("required", boolean(s.Required))
	}
	if s.ReviewAnswers != d.ReviewAnswers {
		add("review_answers", str(string(s.ReviewAnswers)))
	}
	if s.ReviewCorrect != d.ReviewCorrect {
		add("review_correctness", str(string(s.ReviewCorrect)))
	}
	if s.ReviewFeedback != d.ReviewFeedback {
		add("review_feedback", str(string(s.ReviewFeedback)))
	}
	if !s.OpensAt.IsZero() {
		add("opens_at", date(s.OpensAt))
	}
	if !s.ClosesAt.IsZero() {
		add("closes_at", date(s.ClosesAt))
	}
	return block
}

// bundleDuration writes a duration as instructors do: 20m, 1h30m, 45s.
func bundleDuration(d time.Duration) string {
	if d == 0 || d%time.Second != 0 {
		return d.String()
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s := d % time.Minute / time.Second; s > 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// quizFiles writes a quiz's questions as one GIFT file per language of the course (langs,
// the default first). A question not translated into a language is written there in the
// default language's words, as its trainees read it, so that one untranslated question
// does not take a language's file, and every other question's translation, away.
func quizFiles(folder string, questions []BankQuestion, langs []string) map[string][]byte {
	files := map[string][]byte{}
	if len(langs) == 0 {
		return files
	}
	for _, lang := range langs {
		gift := make([]GIFTQuestion, len(questions))
		for i, q := range questions {
			question := q.Question
			if !bundleHas(question.Texts, lang) {
				text, _ := Pick(question.Texts, lang, langs[0])
				question.Texts = map[string]QuestionText{lang: text}
			}
			gift[i] = GIFTQuestion{Category: q.Category, Question: question}
		}
		files[folder+"/"+quizFileName(lang)] = WriteGIFT(gift, lang)
	}
	return files
}
