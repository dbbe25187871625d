package courses

import (
	"fmt"
	"slices"
)

// MergeGIFTLanguages joins one GIFT file per language of a course, read by ParseGIFT, into
// questions with every language's texts. The files hold the same questions in the same
// order; the default language's file is the reference, and every question of another file
// whose structure differs from it is reported with its line in that file.
func MergeGIFTLanguages(files map[string][]GIFTQuestion, defaultLang string) ([]GIFTQuestion, []GIFTError) {
	base, ok := files[defaultLang]
	if !ok {
		return nil, []GIFTError{{Key: "gift.merge_default_missing", Args: map[string]any{"Language": defaultLang},
			Detail: fmt.Sprintf("the file in the course's main language (%s) is missing", defaultLang)}}
	}
	var errs []GIFTError
	fail := func(lang string, line int, key, what string) {
		errs = append(errs, GIFTError{Line: line, Key: key, Args: map[string]any{"Language": lang},
			Detail: fmt.Sprintf("in the %s file, %s", lang, what)})
	}
	merged := make([]GIFTQuestion, len(base))
	for i, gq := range base {
		merged[i] = gq
		merged[i].Question.Texts = map[string]QuestionText{}
		if t, ok := gq.Question.Texts[defaultLang]; ok {
			merged[i].Question.Texts[defaultLang] = t
		} else {
			fail(defaultLang, gq.Line, "gift.merge_wrong_language", fmt.Sprintf("the question has no %s text", defaultLang))
		}
	}
	for _, lang := range SortKeys(files) {
		if lang == defaultLang {
			continue
		}
		if !validLanguage(lang) {
			errs = append(errs, GIFTError{Key: "gift.unknown_language", Args: map[string]any{"Language": lang},
				Detail: fmt.Sprintf("%q is not one of Aula's languages", lang)})
			continue
		}
		qs := files[lang]
		if len(qs) != len(base) {
			line := 0
			if len(qs) > len(base) {
				line = qs[len(base)].Line
			}
			errs = append(errs, GIFTError{Line: line, Key: "gift.merge_count",
				Args:   map[string]any{"Language": lang, "Count": len(qs), "Want": len(base)},
				Detail: fmt.Sprintf("the %s file has %d questions where the %s file has %d", lang, len(qs), defaultLang, len(base))})
		}
		for i := range min(len(qs), len(base)) {
			a, b := base[i], qs[i]
			if key, what := giftStructureDiffers(a, b); key != "" {
				fail(lang, b.Line, key, fmt.Sprintf("question %d %s from the %s file's (line %d)", i+1, what, defaultLang, a.Line))
				continue
			}
			t, ok := b.Question.Texts[lang]
			if !ok {
				fail(lang, b.Line, "gift.merge_wrong_language", fmt.Sprintf("question %d has no %s text", i+1, lang))
				continue
			}
			merged[i].Question.Texts[lang] = t
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return merged, nil
}

// giftStructureDiffers names, as a translation key and in English, the first part of two
// questions' structure that differs.
func giftStructureDiffers(a, b GIFTQuestion) (string, string) {
	qa, qb := a.Question, b.Question
	switch {
	case qa.Type != qb.Type || qa.Single != qb.Single:
		return "gift.merge_type_differs", "has another type"
	case len(qa.Answers) != len(qb.Answers):
		return "gift.merge_answers_differ", "has another number of answers"
	case qa.Points != qb.Points:
		return "gift.merge_points_differ", "is worth other points"
	case qa.IgnoreAccents != qb.IgnoreAccents:
		return "gift.merge_accents_differ", "treats accents otherwise"
	case a.Category != b.Category:
		return "gift.merge_category_differs", "is in another category"
	}
	weight := func(x Answer) float64 { return x.Weight }
	value := func(x Answer) Answer {
		return Answer{Value: x.Value, Tolerance: x.Tolerance, Range: x.Range, Min: x.Min, Max: x.Max}
	}
	distractor := func(x Answer) bool { return x.Distractor }
	switch {
	case !slices.EqualFunc(qa.Answers, qb.Answers, func(x, y Answer) bool { return weight(x) == weight(y) }):
		return "gift.merge_weights_differ", "gives answers other weights"
	case !slices.EqualFunc(qa.Answers, qb.Answers, func(x, y Answer) bool { return value(x) == value(y) }):
		return "gift.merge_values_differ", "accepts other numbers"
	case !slices.EqualFunc(qa.Answers, qb.Answers, func(x, y Answer) bool { return distractor(x) == distractor(y) }):
		return "gift.merge_distractors_differ", "has its extra matches elsewhere"
	}
	return "", ""
}
