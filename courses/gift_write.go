package courses

import (
	"math"
	"strconv"
	"strings"
)

// WriteGIFT writes questions in lang as a GIFT file that Moodle imports and that ParseGIFT
// reads back to the same questions. A $CATEGORY: line is written where the category changes;
// an "// aula:" line before a question whose points or accents GIFT cannot say.
func WriteGIFT(qs []GIFTQuestion, lang string) []byte {
	var b strings.Builder
	category := ""
	for _, gq := range qs {
		if gq.Category != category {
			category = gq.Category
			b.WriteString("$CATEGORY: " + giftEscapeCategory(category) + "\n\n")
		}
		giftWriteQuestion(&b, gq.Question, lang)
		b.WriteString("\n")
	}
	return []byte(b.String())
}

func giftWriteQuestion(b *strings.Builder, q Question, lang string) {
	var words []string
	defaultPoints := 1.0
	if q.Type == QuestionDescription {
		defaultPoints = 0
	}
	if q.Points != defaultPoints {
		words = append(words, "points="+strconv.FormatFloat(q.Points, 'f', -1, 64))
	}
	if q.IgnoreAccents {
		words = append(words, "ignore-accents")
	}
	if len(words) > 0 {
		b.WriteString("// aula: " + strings.Join(words, " ") + "\n")
	}
	t, _ := q.Text(lang, lang)
	// A text that starts like a comment, a title or a category is given an empty title.
	if t.Name != "" || strings.HasPrefix(t.Text, "//") || strings.HasPrefix(t.Text, "::") || strings.HasPrefix(t.Text, "$CATEGORY:") {
		b.WriteString("::" + giftEscape(t.Name, `\:#=~{}`) + "::")
	}
	tag := giftTag(t.Format)
	if t.Format != "" && t.Format != FormatMoodle || giftStartsWithTag(t.Text) {
		b.WriteString(tag)
	}
	if q.Type == QuestionDescription {
		b.WriteString(giftEscape(t.Text, `\{}`) + "\n")
		return
	}
	before, after := t.Text, ""
	if i := strings.Index(t.Text, GIFTGap); i >= 0 && giftTrim(t.Text[i+len(GIFTGap):]) != "" {
		before, after = t.Text[:i], t.Text[i+len(GIFTGap):]
	}
	b.WriteString(giftEscape(before, `\{}`))
	b.WriteString("{")
	giftWriteAnswers(b, q, t, tag)
	if t.GeneralFeedback != "" {
		b.WriteString("\t####" + giftSlot(t.GeneralFeedback, tag) + "\n")
	}
	b.WriteString("}" + giftEscape(after, `\{}`) + "\n")
}

func giftWriteAnswers(b *strings.Builder, q Question, t QuestionText, tag string) {
	answer := func(i int) AnswerText {
		if i < len(t.Answers) {
			return t.Answers[i]
		}
		return AnswerText{}
	}
	feedback := func(i int) string {
		if fb := answer(i).Feedback; fb != "" {
			return "#" + giftSlot(fb, tag)
		}
		return ""
	}
	switch q.Type {
	case QuestionEssay:
		if t.GeneralFeedback != "" {
			b.WriteString("\n")
		}
	case QuestionTrueFalse:
		right, wrong := 0, 1 // feedback shown on choosing the right answer, the wrong one
		word := "TRUE"
		if len(q.Answers) == 2 && q.Answers[1].Weight > q.Answers[0].Weight {
			right, wrong, word = 1, 0, "FALSE"
		}
		b.WriteString(word)
		rf, wf := answer(right).Feedback, answer(wrong).Feedback
		if wf != "" || rf != "" {
			b.WriteString("#" + giftSlot(wf, tag))
		}
		if rf != "" {
			b.WriteString("#" + giftSlot(rf, tag))
		}
		if t.GeneralFeedback != "" {
			b.WriteString("\n")
		}
	case QuestionMultichoice:
		b.WriteString("\n")
		marked := !q.Single // "=" is written once, for the first full answer, and only when single
		for i, a := range q.Answers {
			prefix := "~" + giftPercent(a.Weight, answer(i).Text)
			if !marked && a.Weight == 1 {
				prefix, marked = "=", true
			}
			b.WriteString("\t" + prefix + giftSlot(answer(i).Text, tag) + feedback(i) + "\n")
		}
	case QuestionShortAnswer:
		b.WriteString("\n")
		for i, a := range q.Answers {
			text := answer(i).Text
			prefix := "="
			if len(q.Answers) == 1 && strings.Contains(text, "->") {
				prefix = "" // "=" with "->" would be a matching question; one answer needs no "="
			}
			if a.Weight != 1 || strings.HasPrefix(text, "%") {
				prefix += "%" + giftNumberText(a.Weight, true) + "%"
			}
			b.WriteString("\t" + prefix + giftSlot(text, tag) + feedback(i) + "\n")
		}
	case QuestionNumerical:
		b.WriteString("#\n")
		for i, a := range q.Answers {
			if a.AnyNumber() && a.Weight == 0 && i == len(q.Answers)-1 {
				b.WriteString("\t~" + feedback(i) + "\n")
				continue
			}
			prefix := "="
			if a.Weight != 1 {
				prefix += "%" + giftNumberText(a.Weight, true) + "%"
			}
			var n string
			switch {
			case a.AnyNumber():
				n = "*"
			case a.Range:
				n = giftNumberText(a.Min, false) + ".." + giftNumberText(a.Max, false)
			case a.Tolerance != 0:
				n = giftNumberText(a.Value, false) + ":" + giftNumberText(a.Tolerance, false)
			default:
				n = giftNumberText(a.Value, false)
			}
			b.WriteString("\t" + prefix + n + feedback(i) + "\n")
		}
	case QuestionMatch:
		b.WriteString("\n")
		for i := range q.Answers {
			left := ""
			if l := answer(i).Left; l != "" {
				left = giftSlot(l, tag) + " "
			}
			b.WriteString("\t=" + left + "-> " + giftEscape(answer(i).Text, `\~=#{}`) + "\n")
		}
	}
}

// giftPercent is the "%n%" a multiple-choice answer needs after "~": none for a wrong
// answer, unless its text starts with "%" and would be taken for a weight.
func giftPercent(w float64, text string) string {
	if w == 0 && !strings.HasPrefix(text, "%") {
		return ""
	}
	return "%" + giftNumberText(w, true) + "%"
}

// giftSlot is an answer's or a feedback's text: escaped, and given its question's format tag
// when it starts with something that would be read as one.
func giftSlot(s, tag string) string {
	if giftStartsWithTag(s) {
		return tag + giftEscape(s, `\~=#{}`)
	}
	return giftEscape(s, `\~=#{}`)
}

func giftTag(f TextFormat) string {
	if f == "" {
		f = FormatMoodle
	}
	return "[" + string(f) + "]"
}

func giftStartsWithTag(s string) bool {
	if !strings.HasPrefix(s, "[") {
		return false
	}
	end := strings.IndexByte(s, ']')
	if end < 0 {
		return false
	}
	_, ok := giftFormatTags[s[1:end]]
	return ok
}

// giftEscape puts a backslash before each of chars in s, and writes line breaks as \n, so that
// every question is on lines of its own.
func giftEscape(s, chars string) string {
	if !strings.ContainsAny(s, chars+"\n\r") {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
		case r < 0x80 && strings.IndexByte(chars, byte(r)) >= 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func giftEscapeCategory(s string) string {
	return giftEscape(s, `\`)
}

// giftNumberText writes a number so that ParseGIFT reads the very same float64 back: a
// value in its shortest form, a weight as a percentage (0.333 as 33.3).
func giftNumberText(f float64, percent bool) string {
	if !percent {
		if a := math.Abs(f); f == 0 || a >= 1e-6 && a < 1e15 {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	// The shortest decimal of f, its point moved two places: the parser reads it as ×10⁻².
	s := strconv.FormatFloat(f, 'f', -1, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	frac += strings.Repeat("0", max(0, 2-len(frac)))
	whole = strings.TrimLeft(whole+frac[:2], "0")
	if whole == "" {
		whole = "0"
	}
	if frac = frac[2:]; frac != "" {
		return sign + whole + "." + frac
	}
	return sign + whole
}
