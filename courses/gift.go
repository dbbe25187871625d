package courses

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// GIFT is Moodle's text format for question banks. Aula reads it as Moodle's importer
// (question/format/gift/format.php) does, where that and Moodle's documentation disagree, so
// that a file an instructor moves between Moodle and Aula means the same in both.

// Limits of one GIFT file, so that an upload cannot hold the server.
const (
	MaxGIFTBytes     = 2 << 20
	MaxGIFTQuestions = 2_000
	MaxGIFTErrors    = 100 // a file with more stops being read: the first ones say what is wrong
)

// GIFTGap marks where the answers stood in a missing-word question ("Grant is _____ in
// Grant's tomb."), as Moodle marks it.
const GIFTGap = "_____"

// GIFTQuestion is one question of a GIFT file: Question.Texts holds the file's one language.
// Category is the $CATEGORY: in force (Moodle's path, "" before any); Line is where the
// question starts.
type GIFTQuestion struct {
	Category string
	Line     int
	Question Question
}

// GIFTError is one problem in a GIFT file. Key is a translation key and Args fill its
// placeholders, for the pages; Detail says the same in English, for the command line. Line is
// the line of the problem where it is known, else of its question; 0 for the whole file.
type GIFTError struct {
	Line   int
	Key    string
	Args   map[string]any
	Detail string
}

func (e GIFTError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Detail)
	}
	return e.Detail
}

// Escaped control characters stand for themselves while a question is taken apart, as
// Moodle's placeholders do. These bytes never occur in valid UTF-8, which is checked first.
const (
	giftEscapable   = ":#={}~n"
	giftPlaceholder = 0xF8 // + the index in giftEscapable
)

var (
	giftFormatTags = map[string]TextFormat{"moodle": "", "html": FormatHTML, "plain": FormatPlain, "markdown": FormatMarkdown}
	// An answer that starts with this is meant to have a weight ("%50%"), even when it is not a
	// good one ("%50,5%", "%150%"): Moodle would take a bad one as the answer's text.
	giftWeightLike     = regexp.MustCompile(`^%[-+0-9.,]*%`)
	giftWeightNumber   = regexp.MustCompile(`^-?[0-9]+(\.[0-9]*)?$`)
	giftNumberPattern  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`) // PHP's is_numeric
	giftPointsPattern  = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)
	giftTrueFalseWords = map[string]bool{"T": true, "TRUE": true, "F": false, "FALSE": false}
)

// giftAnyNumber is Moodle's "*" numerical answer (any other number): a range over every
// number, so that grading needs no special case.
var giftAnyNumber = Answer{Range: true, Min: -math.MaxFloat64, Max: math.MaxFloat64}

// AnyNumber reports whether a numerical answer is Moodle's "*", any other number, which
// GIFT writes as "~#feedback" after the other answers.
func (a Answer) AnyNumber() bool {
	return a.Range && a.Min == -math.MaxFloat64 && a.Max == math.MaxFloat64
}

// ParseGIFT reads a GIFT file written in lang. It returns every question it could read and
// every problem, each with its line; a question with a problem is left out.
func ParseGIFT(src []byte, lang string) ([]GIFTQuestion, []GIFTError) {
	if !validLanguage(lang) {
		return nil, []GIFTError{{Key: "gift.unknown_language", Args: map[string]any{"Language": lang},
			Detail: fmt.Sprintf("%q is not one of Aula's languages (%s)", lang, strings.Join(Languages, ", "))}}
	}
	if len(src) > MaxGIFTBytes {
		return nil, []GIFTError{{Key: "gift.too_large", Args: map[string]any{"Max": MaxGIFTBytes >> 20},
			Detail: fmt.Sprintf("the file is larger than %d MiB", MaxGIFTBytes>>20)}}
	}
	text := strings.TrimPrefix(string(src), "\uFEFF")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	lines := strings.Split(text, "\n")
	p := &giftParser{lang: lang}
	for i, l := range lines {
		if !utf8.ValidString(l) {
			p.fail(i+1, "gift.invalid_utf8", nil, "the line is not valid UTF-8 text: save the file as UTF-8")
		}
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	var block []giftLine
	for i, l := range lines {
		l = giftTrim(l)
		if l != "" {
			block = append(block, giftLine{i + 1, l})
			continue
		}
		if len(block) > 0 && !p.block(block) {
			return p.questions, p.errs
		}
		block = block[:0]
	}
	if len(block) > 0 {
		p.block(block)
	}
	return p.questions, p.errs
}

type giftLine struct {
	n int
	s string
}

type giftParser struct {
	lang      string
	category  string
	questions []GIFTQuestion
	errs      []GIFTError
	// the block being read
	text      string // joined, trimmed, escapes replaced
	firstLine int
}

// fail records a problem; it reports false when there are too many to go on.
func (p *giftParser) fail(line int, key string, args map[string]any, detail string) bool {
	if len(p.errs) >= MaxGIFTErrors {
		return false
	}
	p.errs = append(p.errs, GIFTError{Line: line, Key: key, Args: args, Detail: detail})
	if len(p.errs) == MaxGIFTErrors {
		p.errs = append(p.errs, GIFTError{Line: line, Key: "gift.too_many_errors", Args: map[string]any{"Max": MaxGIFTErrors},
			Detail: fmt.Sprintf("more than %d problems; the rest of the file was not read", MaxGIFTErrors)})
		return false
	}
	return true
}

// giftProblem is a problem found inside a question, at an offset of the block's text.
type giftProblem struct {
	off    int
	key    string
	args   map[string]any
	detail string
}

func problem(off int, key string, args map[string]any, format string, a ...any) *giftProblem {
	return &giftProblem{off: off, key: key, args: args, detail: fmt.Sprintf(format, a...)}
}

func (p *giftParser) lineAt(off int) int {
	off = min(max(off, 0), len(p.text))
	return p.firstLine + strings.Count(p.text[:off], "\n")
}

// block reads one question (or category) from lines with no blank line between them. It
// reports false when reading must stop.
func (p *giftParser) block(lines []giftLine) bool {
	var d giftDirective
	directiveLine, first := 0, -1
	parts := make([]string, len(lines))
	for i, l := range lines {
		if !strings.HasPrefix(l.s, "//") {
			if first < 0 {
				first = i
			}
			parts[i] = l.s
			continue
		}
		parts[i] = " " // Moodle keeps the line, blank, so comments inside a question are allowed
		words, ok := strings.CutPrefix(giftTrim(l.s[2:]), "aula:")
		if !ok {
			continue
		}
		if first >= 0 {
			return p.fail(l.n, "gift.misplaced_directive", nil, "an “// aula:” line belongs on the line just before its question")
		}
		directiveLine = l.n
		if pr := d.parse(words); pr != nil {
			return p.fail(l.n, pr.key, pr.args, pr.detail)
		}
	}
	if first < 0 {
		if directiveLine > 0 {
			return p.fail(directiveLine, "gift.misplaced_directive", nil, "an “// aula:” line belongs on the line just before its question, with no blank line between")
		}
		return true
	}
	p.firstLine = lines[first].n
	p.text = giftPre(giftTrim(strings.Join(parts, "\n")))
	if rest, ok := strings.CutPrefix(p.text, "$CATEGORY:"); ok {
		if directiveLine > 0 {
			return p.fail(directiveLine, "gift.misplaced_directive", nil, "an “// aula:” line belongs before a question, not before a category")
		}
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			return p.fail(p.lineAt(len("$CATEGORY:")+i+1), "gift.category_alone", nil, "leave a blank line after a $CATEGORY: line")
		}
		cat := giftTrim(giftPost(rest))
		if !ValidLine(cat) || utf8.RuneCountInString(cat) > MaxAnswerTextLength {
			return p.fail(p.firstLine, "gift.bad_category", nil, "the category is too long or holds characters that are not text")
		}
		p.category = cat
		return true
	}
	if len(p.questions) >= MaxGIFTQuestions {
		p.fail(p.firstLine, "gift.too_many_questions", map[string]any{"Max": MaxGIFTQuestions},
			fmt.Sprintf("more than %d questions in one file", MaxGIFTQuestions))
		return false
	}
	q, pr := p.question(d)
	if pr != nil {
		return p.fail(p.lineAt(pr.off), pr.key, pr.args, pr.detail)
	}
	p.questions = append(p.questions, GIFTQuestion{Category: p.category, Line: p.firstLine, Question: q})
	return true
}

// giftDirective is Aula's comment before a question, "// aula: points=2 ignore-accents",
// for what GIFT has no syntax for. Moodle skips it as a comment.
type giftDirective struct {
	points        float64
	hasPoints     bool
	ignoreAccents bool
}

func (d *giftDirective) parse(words string) *giftProblem {
	for _, w := range strings.Fields(words) {
		switch v, ok := strings.CutPrefix(w, "points="); {
		case ok:
			f, err := strconv.ParseFloat(v, 64)
			if !giftPointsPattern.MatchString(v) || err != nil || f > MaxQuestionPoints {
				return problem(0, "gift.bad_points", map[string]any{"Points": v, "Max": MaxQuestionPoints},
					"points=%s: points are a number from 0 to %d, such as points=2 or points=0.5", v, MaxQuestionPoints)
			}
			d.points, d.hasPoints = f, true
		case w == "ignore-accents":
			d.ignoreAccents = true
		default:
			return problem(0, "gift.bad_directive", map[string]any{"Word": w},
				"%q is not an Aula setting: write “// aula: points=2 ignore-accents”", w)
		}
	}
	return nil
}

// question reads p.text as Moodle's readquestion does.
func (p *giftParser) question(d giftDirective) (Question, *giftProblem) {
	t, off := p.text, 0
	var name string
	if strings.HasPrefix(t, "::") {
		t, off = t[2:], 2
		if end := strings.Index(t, "::"); end >= 0 {
			name = giftTrim(giftPost(t[:end]))
			t, off = giftTrimAt(t[end+2:], off+end+2)
		}
	}
	start, end := strings.IndexByte(t, '{'), strings.IndexByte(t, '}')
	var qtext, answers string
	aoff := 0
	switch {
	case start < 0 && end < 0:
		qtext = t
	case end < 0:
		return Question{}, problem(off+start, "gift.unclosed_brace", nil, "the answers' { is never closed by a }")
	case start < 0 || end < start:
		return Question{}, problem(off+end, "gift.unopened_brace", nil, "a } closes no {: write \\} for a brace in the text")
	default:
		if i := strings.IndexAny(t[start+1:], "{}"); i >= 0 && start+1+i != end {
			return Question{}, problem(off+start+1+i, "gift.extra_brace", nil, "a question has one set of answers in braces: write \\{ and \\} for braces in the text")
		}
		if i := strings.IndexAny(t[end+1:], "{}"); i >= 0 {
			return Question{}, problem(off+end+1+i, "gift.extra_brace", nil, "a question has one set of answers in braces: write \\{ and \\} for braces in the text")
		}
		answers, aoff = giftTrimAt(t[start+1:end], off+start+1)
		if end == len(t)-1 {
			qtext = t[:start] // answers at the end: no gap
		} else {
			qtext = t[:start] + GIFTGap + t[end+1:]
		}
	}
	description := start < 0
	var gf string
	gfoff := 0
	if i := strings.LastIndex(answers, "####"); i >= 0 {
		gf, gfoff = answers[i+4:], aoff+i+4
		answers, aoff = giftTrimAt(answers[:i], aoff)
	}
	format, text, _ := giftFormatted(qtext)
	qt := QuestionText{Name: name, Text: text, Format: format}
	gfFormat, gfText, tagged := giftFormatted(gf)
	if tagged && gfFormat != format {
		return Question{}, giftMixedFormats(gfoff, gfFormat, format)
	}
	qt.GeneralFeedback = gfText
	q := Question{Points: 1}
	var pr *giftProblem
	switch {
	case description:
		q.Type, q.Points = QuestionDescription, 0
	case answers == "":
		q.Type = QuestionEssay
	case answers[0] == '#':
		q.Type = QuestionNumerical
		pr = p.numerical(&q, &qt, answers[1:], aoff+1)
	case strings.IndexByte(answers, '~') >= 0:
		q.Type = QuestionMultichoice
		pr = p.multichoice(&q, &qt, answers, aoff)
	case strings.IndexByte(answers, '=') >= 0 && strings.Contains(answers, "->"):
		q.Type = QuestionMatch
		pr = p.match(&q, &qt, answers, aoff)
	default:
		word := answers
		if i := strings.IndexByte(answers, '#'); i > 0 {
			word = giftTrim(answers[:i])
		}
		if right, ok := giftTrueFalseWords[word]; ok {
			q.Type = QuestionTrueFalse
			pr = p.trueFalse(&q, &qt, right, answers, aoff)
		} else {
			q.Type = QuestionShortAnswer
			pr = p.shortAnswer(&q, &qt, answers, aoff)
		}
	}
	if pr != nil {
		return Question{}, pr
	}
	if strings.TrimSpace(qt.Text) == "" {
		return Question{}, problem(0, "gift.no_text", nil, "the question has no text")
	}
	if d.hasPoints {
		if q.Type == QuestionDescription && d.points != 0 {
			return Question{}, problem(0, "gift.description_points", nil, "a description is worth no points")
		}
		q.Points = d.points
	}
	if d.ignoreAccents {
		if q.Type != QuestionShortAnswer {
			return Question{}, problem(0, "gift.ignore_accents_not_shortanswer", nil, "ignore-accents is for short-answer questions only")
		}
		q.IgnoreAccents = true
	}
	q.Texts = map[string]QuestionText{p.lang: qt}
	if len(q.Answers) > MaxQuestionAnswers {
		return Question{}, giftTooManyAnswers(aoff)
	}
	if q.Graded() && q.Type != QuestionMatch && q.Type != QuestionTrueFalse && !anyPositive(q.Answers) {
		return Question{}, problem(aoff, "gift.no_right_answer", nil, "no answer earns any points: mark the right one with = or a positive %%weight%%")
	}
	if err := q.Validate(); err != nil {
		return Question{}, problem(0, "gift.invalid_question", map[string]any{"Reason": err.Error()}, "%s", err)
	}
	return q, nil
}

func giftMixedFormats(off int, got, want TextFormat) *giftProblem {
	name := func(f TextFormat) string {
		if f == "" {
			return string(FormatMoodle)
		}
		return string(f)
	}
	return problem(off, "gift.mixed_formats", map[string]any{"Format": name(got), "Want": name(want)},
		"[%s] here, but the question is in [%s]: a question's texts share one format", name(got), name(want))
}

type giftPiece struct {
	s   string
	off int
}

// giftAnswers splits a question's answers at every cut byte (dropped) and before every keep
// byte (kept), and trims each, as Moodle's explode does; an empty first piece is no answer.
// keep is -1 for none.
func giftAnswers(s string, off int, cut byte, keep int) []giftPiece {
	var pieces []giftPiece
	from := 0
	flush := func(to int) {
		t, o := giftTrimAt(s[from:to], off+from)
		pieces = append(pieces, giftPiece{t, o})
	}
	for i := 0; i < len(s) && len(pieces) <= MaxQuestionAnswers+1; i++ { // more is too many: stop there
		switch {
		case s[i] == cut:
			flush(i)
			from = i + 1
		case int(s[i]) == keep:
			flush(i)
			from = i
		}
	}
	flush(len(s))
	if pieces[0].s == "" {
		pieces = pieces[1:]
	}
	return pieces
}

// giftWeight reads a leading "%n%" if there is one, and the rest of the answer.
func giftWeight(s string, off int, def float64) (float64, string, *giftProblem) {
	if !giftWeightLike.MatchString(s) {
		return def, s, nil
	}
	end := 1 + strings.IndexByte(s[1:], '%')
	n := s[1:end]
	// Read as n×10⁻² in one rounding, so that %33.3% is the float nearest 0.333, which the
	// writer gives back as 33.3.
	w, err := strconv.ParseFloat(n+"e-2", 64)
	if !giftWeightNumber.MatchString(n) || err != nil || w < -1 || w > 1 {
		return 0, "", problem(off, "gift.bad_weight", map[string]any{"Weight": s[:end+1]},
			"%s is not a weight: write a percentage from -100 to 100 with a dot for decimals, such as %%50%% or %%-33.3%%", s[:end+1])
	}
	return w, s[end+1:], nil
}

// giftComment splits "answer#feedback" as Moodle's commentparser does, each in the
// question's format.
func giftComment(s string, off int, format TextFormat) (string, string, *giftProblem) {
	text, feedback, hasFeedback := strings.Cut(s, "#")
	f, a, tagged := giftFormatted(giftTrim(text))
	if tagged && f != format {
		return "", "", giftMixedFormats(off, f, format)
	}
	if !hasFeedback {
		return a, "", nil
	}
	f, fb, tagged := giftFormatted(giftTrim(feedback))
	if tagged && f != format {
		return "", "", giftMixedFormats(off+len(text)+1, f, format)
	}
	return a, fb, nil
}

func (p *giftParser) multichoice(q *Question, qt *QuestionText, s string, off int) *giftProblem {
	q.Single = strings.IndexByte(s, '=') >= 0 // Moodle: several may be chosen when none is marked "="
	pieces := giftAnswers(s, off, '~', '=')
	if len(pieces) > MaxQuestionAnswers {
		return giftTooManyAnswers(off)
	}
	if len(pieces) < 2 {
		return problem(off, "gift.too_few_answers", map[string]any{"Min": 2}, "a multiple-choice question needs at least two answers")
	}
	for _, pc := range pieces {
		var w float64
		rest := pc.s
		if strings.HasPrefix(rest, "=") {
			w, rest = 1, rest[1:]
		} else {
			var pr *giftProblem
			if w, rest, pr = giftWeight(rest, pc.off, 0); pr != nil {
				return pr
			}
		}
		if pr := textAnswer(q, qt, w, rest, pc.off); pr != nil {
			return pr
		}
	}
	return nil
}

// textAnswer adds an answer of weight w whose text, and feedback after #, are rest.
func textAnswer(q *Question, qt *QuestionText, w float64, rest string, off int) *giftProblem {
	text, fb, pr := giftComment(rest, off, qt.Format)
	if pr != nil {
		return pr
	}
	if strings.TrimSpace(text) == "" {
		return problem(off, "gift.empty_answer", nil, "an answer has no text")
	}
	q.Answers = append(q.Answers, Answer{Weight: w})
	qt.Answers = append(qt.Answers, AnswerText{Text: text, Feedback: fb})
	return nil
}

func (p *giftParser) shortAnswer(q *Question, qt *QuestionText, s string, off int) *giftProblem {
	pieces := giftAnswers(s, off, '=', -1)
	if len(pieces) > MaxQuestionAnswers {
		return giftTooManyAnswers(off)
	}
	if len(pieces) == 0 {
		return problem(off, "gift.no_answers", nil, "the question accepts no answer")
	}
	for _, pc := range pieces {
		w, rest, pr := giftWeight(pc.s, pc.off, 1)
		if pr != nil {
			return pr
		}
		if pr := textAnswer(q, qt, w, rest, pc.off); pr != nil {
			return pr
		}
	}
	return nil
}

func (p *giftParser) match(q *Question, qt *QuestionText, s string, off int) *giftProblem {
	pieces := giftAnswers(s, off, '=', -1)
	if len(pieces) > MaxQuestionAnswers {
		return giftTooManyAnswers(off)
	}
	pairs := 0
	for _, pc := range pieces {
		arrow := strings.Index(pc.s, "->")
		if arrow < 0 {
			return problem(pc.off, "gift.match_needs_arrow", nil, "each matching pair is “=item -> match”")
		}
		f, left, tagged := giftFormatted(giftTrim(pc.s[:arrow]))
		if tagged && f != qt.Format {
			return giftMixedFormats(pc.off, f, qt.Format)
		}
		right := giftTrim(giftPost(pc.s[arrow+2:]))
		if right == "" {
			return problem(pc.off, "gift.empty_answer", nil, "a matching pair has nothing after ->")
		}
		if left != "" {
			pairs++
		}
		q.Answers = append(q.Answers, Answer{Distractor: left == ""})
		qt.Answers = append(qt.Answers, AnswerText{Left: left, Text: right})
	}
	if pairs < 2 {
		return problem(off, "gift.match_needs_pairs", nil, "a matching question needs at least two pairs")
	}
	return nil
}

// trueFalse reads "T#feedback if wrong#feedback if right": each feedback goes to the answer
// that shows it, "true" first.
func (p *giftParser) trueFalse(q *Question, qt *QuestionText, right bool, s string, off int) *giftProblem {
	bits := strings.SplitN(s, "#", 3)
	var fb [2]string // wrong, right
	o := off + len(bits[0]) + 1
	for i := 1; i < len(bits); i++ {
		f, t, tagged := giftFormatted(giftTrim(bits[i]))
		if tagged && f != qt.Format {
			return giftMixedFormats(o, f, qt.Format)
		}
		fb[i-1] = t
		o += len(bits[i]) + 1
	}
	if right {
		q.Answers = []Answer{{Weight: 1}, {Weight: 0}}
		qt.Answers = []AnswerText{{Feedback: fb[1]}, {Feedback: fb[0]}}
	} else {
		q.Answers = []Answer{{Weight: 0}, {Weight: 1}}
		qt.Answers = []AnswerText{{Feedback: fb[0]}, {Feedback: fb[1]}}
	}
	return nil
}

// numerical reads "=%w%value:tolerance#feedback", "=min..max", and Moodle's "~#feedback"
// for any other number, which is last.
func (p *giftParser) numerical(q *Question, qt *QuestionText, s string, off int) *giftProblem {
	other, otherOff := "", 0
	if i := strings.IndexByte(s, '~'); i >= 0 {
		s, other, otherOff = s[:i], s[i:], off+i
	}
	pieces := giftAnswers(s, off, '=', -1)
	if len(pieces) > MaxQuestionAnswers {
		return giftTooManyAnswers(off)
	}
	if len(pieces) == 0 {
		return problem(off, "gift.no_answers", nil, "the question accepts no number: write {#3.14:0.01}")
	}
	for _, pc := range pieces {
		w, rest, pr := giftWeight(pc.s, pc.off, 1)
		if pr != nil {
			return pr
		}
		n, fb, pr := giftComment(rest, pc.off, qt.Format)
		if pr != nil {
			return pr
		}
		var a Answer
		switch dots, colon := strings.Index(n, ".."), strings.IndexByte(n, ':'); {
		case n == "*" || strings.HasPrefix(n, "*:"):
			a = giftAnyNumber
		case dots > 0:
			lo, ok1 := giftNumber(n[:dots])
			hi, ok2 := giftNumber(n[dots+2:])
			if !ok1 || !ok2 {
				return giftBadNumber(pc.off, n)
			}
			if lo > hi {
				return problem(pc.off, "gift.bad_range", map[string]any{"Range": n}, "%s: a range's lower end comes first", n)
			}
			a = Answer{Range: true, Min: lo, Max: hi}
		case colon > 0:
			v, ok1 := giftNumber(n[:colon])
			tol, ok2 := giftNumber(n[colon+1:])
			if !ok1 || !ok2 {
				return giftBadNumber(pc.off, n)
			}
			if tol < 0 {
				return problem(pc.off, "gift.bad_tolerance", map[string]any{"Number": n}, "%s: a tolerance cannot be negative", n)
			}
			a = Answer{Value: v, Tolerance: tol}
		default:
			v, ok := giftNumber(n)
			if !ok {
				return giftBadNumber(pc.off, n)
			}
			a = Answer{Value: v}
		}
		a.Weight = w
		q.Answers = append(q.Answers, a)
		qt.Answers = append(qt.Answers, AnswerText{Feedback: fb})
	}
	if other != "" {
		// Moodle keeps only the feedback: "~wrong" is any other number, with no feedback.
		_, fb, pr := giftComment(other, otherOff, qt.Format)
		if pr != nil {
			return pr
		}
		q.Answers = append(q.Answers, giftAnyNumber)
		qt.Answers = append(qt.Answers, AnswerText{Feedback: fb})
	}
	return nil
}

func giftTooManyAnswers(off int) *giftProblem {
	return problem(off, "gift.too_many_answers", map[string]any{"Max": MaxQuestionAnswers}, "a question has at most %d answers", MaxQuestionAnswers)
}

func giftBadNumber(off int, n string) *giftProblem {
	return problem(off, "gift.bad_number", map[string]any{"Number": n},
		"%q is not a number: write 3.14, 3.14:0.01 (± tolerance) or 1..5 (a range), with a dot for decimals", n)
}

func giftNumber(s string) (float64, bool) {
	s = giftTrim(s)
	if !giftNumberPattern.MatchString(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// giftFormatted reads a leading format tag ("[html]") and undoes the escapes, as Moodle's
// parse_text_with_format does. tagged reports a tag, so that a text can be checked against
// its question's format. An unknown tag is text, as in Moodle.
func giftFormatted(s string) (f TextFormat, text string, tagged bool) {
	if strings.HasPrefix(s, "[") {
		if end := strings.IndexByte(s, ']'); end > 0 {
			if tf, ok := giftFormatTags[s[1:end]]; ok {
				f, s, tagged = tf, s[end+1:], true
			}
		}
	}
	return f, giftTrim(giftPost(s)), tagged
}

// giftPre replaces escaped control characters by placeholders and "\\" by "\", as
// Moodle's escapedchar_pre does.
func giftPre(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			if s[i+1] == '\\' {
				b.WriteByte('\\')
				i++
				continue
			}
			if k := strings.IndexByte(giftEscapable, s[i+1]); k >= 0 {
				b.WriteByte(giftPlaceholder + byte(k))
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// giftPost turns placeholders back into the characters they stand for.
func giftPost(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r == utf8.RuneError }) {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if c >= giftPlaceholder && c < giftPlaceholder+byte(len(giftEscapable)) {
			b[i] = giftEscapable[c-giftPlaceholder]
			if b[i] == 'n' {
				b[i] = '\n'
			}
		}
	}
	return string(b)
}

// giftTrim trims as PHP's trim does: Moodle trims every line and text so, and no more.
func giftTrim(s string) string { return strings.Trim(s, " \t\n\r\x00\x0b") }

// giftTrimAt trims s, found at offset off, and gives the offset of what is left.
func giftTrimAt(s string, off int) (string, int) {
	left := strings.TrimLeft(s, " \t\n\r\x00\x0b")
	if left == "" {
		return "", off // nothing there: the problem is where it starts
	}
	return strings.TrimRight(left, " \t\n\r\x00\x0b"), off + len(s) - len(left)
}
