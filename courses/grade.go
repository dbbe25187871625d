package courses

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Grade marks a trainee's response to one question, by Moodle's rules for its type. lang is
// the language the attempt was shown in and def the course's default language: typed answers
// are compared with the accepted answers of the text the trainee saw (Question.Text(lang, def)).
//
// Every mark is floored at 0 and capped at 1: a wrong answer with a negative weight takes
// nothing away from the rest of the attempt. Essays wait for a person (Pending), except an
// essay left empty, which earns 0 at once as in Moodle (there is nothing to read); a
// description has nothing to mark and gives Mark{}.
func Grade(q Question, lang, def string, r Response) Mark {
	var f float64
	switch q.Type {
	case QuestionMultichoice:
		if q.Single {
			f = gradeSingle(q.Answers, r.Choices)
		} else {
			f = gradeMultiple(q.Answers, r.Choices)
		}
	case QuestionTrueFalse:
		f = gradeSingle(q.Answers, r.Choices)
	case QuestionShortAnswer, QuestionNumerical:
		if i := MatchedAnswer(q, lang, def, r); i >= 0 {
			f = q.Answers[i].Weight
		}
	case QuestionMatch:
		t, _ := q.Text(lang, def)
		f = gradeMatch(q.Answers, t, r.Matches)
	case QuestionEssay:
		if strings.TrimSpace(r.Text) == "" {
			return Mark{}
		}
		return Mark{Pending: true}
	default: // descriptions, and a type this version does not know: nothing to mark
		return Mark{}
	}
	return Mark{Fraction: roundFraction(clampFraction(f))}
}

// ManualMark is the mark a person gives an essay, as a fraction of its points.
func ManualMark(fraction float64) (Mark, error) {
	if math.IsNaN(fraction) || fraction < 0 || fraction > 1 {
		return Mark{}, fmt.Errorf("a mark must be between 0 and 1, not %v: %w", fraction, ErrInvalid)
	}
	return Mark{Fraction: roundFraction(fraction)}, nil
}

// roundFraction rounds to seven decimal places, as Moodle stores fractions, so that three
// answers worth 1/3 each make 1 and not 0.9999999999999999.
func roundFraction(f float64) float64 { return math.Round(f*1e7) / 1e7 }

func clampFraction(f float64) float64 {
	if math.IsNaN(f) {
		return 0
	}
	return math.Min(math.Max(f, 0), 1)
}

// gradeSingle is the weight of the one answer chosen. Several choices sent to a question
// that takes one are not a response the page can give: they earn nothing.
func gradeSingle(answers []Answer, choices []int) float64 {
	if len(choices) != 1 || choices[0] < 0 || choices[0] >= len(answers) {
		return 0
	}
	return answers[choices[0]].Weight
}

// gradeMultiple adds the weights of the answers chosen, each once.
func gradeMultiple(answers []Answer, choices []int) float64 {
	seen := make(map[int]bool, len(choices))
	sum := 0.0
	for _, c := range choices {
		if c < 0 || c >= len(answers) || seen[c] {
			continue
		}
		seen[c] = true
		sum += answers[c].Weight
	}
	return sum
}

// MatchedAnswer gives the index of the answer a short or numerical response earned: the
// first it matches, in the author's order, as Moodle's get_matching_answer does (so an
// author who lists a broad 50% answer before an exact 100% one gets 50% for both); -1 when
// it matches none or the question is of another type. The review shows that answer's feedback.
func MatchedAnswer(q Question, lang, def string, r Response) int {
	var matches func(i int) bool
	switch q.Type {
	case QuestionShortAnswer:
		typed := collapseSpaces(r.Text)
		if typed == "" {
			return -1
		}
		t, _ := q.Text(lang, def)
		if q.IgnoreAccents {
			typed = foldAccents(typed)
		}
		matches = func(i int) bool {
			if i >= len(t.Answers) {
				return false
			}
			accepted := collapseSpaces(t.Answers[i].Text)
			if q.IgnoreAccents {
				accepted = foldAccents(accepted)
			}
			return accepted != "" && matchesAccepted(accepted, typed)
		}
	case QuestionNumerical:
		x, ok := ParseNumber(r.Text)
		if !ok {
			return -1
		}
		matches = func(i int) bool { return numberMatches(q.Answers[i], x) }
	default:
		return -1
	}
	for i := range q.Answers {
		if matches(i) {
			return i
		}
	}
	return -1
}

// matchesAccepted reports whether typed matches an accepted short answer, without regard to
// case (Unicode's simple case folding, as strings.EqualFold). In the accepted answer, a run
// of * matches any run of characters, none included, and \* is a literal asterisk, as in
// Moodle; every other character, regular-expression metacharacters included, is itself.
// Neither side is trimmed or folded here: Grade does that first.
func matchesAccepted(accepted, typed string) bool {
	pattern, star := compileWildcard(accepted)
	text := []rune(typed)
	for i, r := range text {
		text[i] = foldCase(r)
	}
	// The usual linear matcher for * patterns: on a mismatch, go back to just after the
	// last star and let it swallow one more character.
	p, s := 0, 0
	lastStar, lastS := -1, 0
	for s < len(text) {
		switch {
		case p < len(pattern) && star[p]:
			lastStar, lastS = p, s
			p++
		case p < len(pattern) && pattern[p] == text[s]:
			p++
			s++
		case lastStar >= 0:
			lastS++
			p, s = lastStar+1, lastS
		default:
			return false
		}
	}
	for p < len(pattern) && star[p] {
		p++
	}
	return p == len(pattern)
}

// compileWildcard splits an accepted answer into case-folded runes and marks which are
// wildcards, a run of stars being one.
func compileWildcard(accepted string) ([]rune, []bool) {
	src := []rune(accepted)
	var pattern []rune
	var star []bool
	for i := 0; i < len(src); i++ {
		switch {
		case src[i] == '\\' && i+1 < len(src) && src[i+1] == '*':
			pattern, star = append(pattern, '*'), append(star, false)
			i++
		case src[i] == '*':
			if len(star) == 0 || !star[len(star)-1] {
				pattern, star = append(pattern, '*'), append(star, true)
			}
		default:
			pattern, star = append(pattern, foldCase(src[i])), append(star, false)
		}
	}
	return pattern, star
}

// foldCase gives the smallest rune of r's simple case-folding orbit, so that two runes fold
// to the same rune exactly when strings.EqualFold holds them equal ("Σ", "σ", "ς").
func foldCase(r rune) rune {
	min := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < min {
			min = f
		}
	}
	return min
}

// maxNumberLength bounds what ParseNumber reads: no answer needs more digits.
const maxNumberLength = 64

// ParseNumber reads a number as trainees type it: an optional sign (+, - or the minus sign
// −), ASCII digits and at most one decimal separator, a point or the comma Spanish and
// Portuguese speakers write ("3,5", "-0,25", ".5", " 3.5 "); spaces around it are ignored.
// Thousands separators are refused, since "1.000" and "1,000" mean a thousand to some
// trainees and one to others: a second separator ("1.000.000", "3,5.2"), spaces inside
// ("1 000"), exponents, words, and an empty value are not numbers. A single separator is
// always a decimal one, so "1.000" reads as one; the page can show what was read.
func ParseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxNumberLength {
		return 0, false
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "+"):
		neg = s[0] == '-'
		s = s[1:]
	case strings.HasPrefix(s, "−"):
		neg = true
		s = strings.TrimPrefix(s, "−")
	}
	digits, separators := 0, 0
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
			b.WriteByte(c)
		case c == '.' || c == ',':
			separators++
			b.WriteByte('.')
		default:
			return 0, false
		}
	}
	if digits == 0 || separators > 1 {
		return 0, false
	}
	x, err := strconv.ParseFloat(b.String(), 64)
	if err != nil || math.IsInf(x, 0) {
		return 0, false
	}
	if neg {
		x = -x
	}
	return x, true
}

// numericalSlack absorbs binary floating-point error in comparisons with a tolerance or a
// range's ends: 3.05 is within 0.05 of 3.1 although 3.1-3.05 is 0.05000000000000027.
func numericalSlack(scale ...float64) float64 {
	m := 1.0
	for _, v := range scale {
		m = math.Max(m, math.Abs(v))
	}
	return 1e-9 * m
}

// numberMatches reports whether x is an accepted value of a numerical answer: within its
// tolerance of its value, or between its range's ends, both included.
func numberMatches(a Answer, x float64) bool {
	if a.Range {
		e := numericalSlack(a.Min, a.Max)
		return x >= a.Min-e && x <= a.Max+e
	}
	return math.Abs(x-a.Value) <= a.Tolerance+numericalSlack(a.Value)
}

// gradeMatch is the share of left items given their right item. A right item whose text is
// the same as the left item's own (two pairs with the same answer) is right too: the trainee
// cannot tell them apart.
func gradeMatch(answers []Answer, t QuestionText, matches []int) float64 {
	rightText := func(i int) string {
		if i < len(t.Answers) {
			return strings.TrimSpace(t.Answers[i].Text)
		}
		return ""
	}
	lefts, right := 0, 0
	for i, a := range answers {
		if a.Distractor {
			continue
		}
		k := lefts
		lefts++
		if k >= len(matches) {
			continue
		}
		c := matches[k]
		if c == i || (c >= 0 && c < len(answers) && rightText(c) != "" && rightText(c) == rightText(i)) {
			right++
		}
	}
	if lefts == 0 {
		return 0
	}
	return float64(right) / float64(lefts)
}
