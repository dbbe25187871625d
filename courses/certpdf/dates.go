package certpdf

import (
	"fmt"
	"time"

	"golang.org/x/text/language"
)

// The three languages the school teaches in. Their month names live here, as data, rather
// than in the caller's labels: a date is a format as well as words ("1 de diciembre de
// 2026" against "1 December 2026"), golang.org/x/text has no CLDR date formatting, and one
// table keeps the certificate, its verify page and their tests agreeing.
var (
	dateLanguages = []language.Tag{language.Spanish, language.English, language.Portuguese}
	dateMatcher   = language.NewMatcher(dateLanguages)
	months        = map[language.Tag][12]string{
		language.Spanish: {"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
			"agosto", "septiembre", "octubre", "noviembre", "diciembre"},
		language.English: {"January", "February", "March", "April", "May", "June", "July",
			"August", "September", "October", "November", "December"},
		language.Portuguese: {"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho",
			"agosto", "setembro", "outubro", "novembro", "dezembro"},
	}
)

// FormatDate writes t's calendar date, in t's own location, the way the language of the
// BCP 47 tag lang writes it on a certificate: "1 de diciembre de 2026" (es, es-419 …),
// "1 December 2026" (en), "1 de dezembro de 2026" (pt, pt-BR …). A language other than
// these three is an error rather than a date in the wrong language.
func FormatDate(t time.Time, lang string) (string, error) {
	base, err := dateLanguage(lang)
	if err != nil {
		return "", err
	}
	m := months[base][t.Month()-1]
	if base == language.English {
		return fmt.Sprintf("%d %s %d", t.Day(), m, t.Year()), nil
	}
	return fmt.Sprintf("%d de %s de %d", t.Day(), m, t.Year()), nil
}

// dateLanguage is the one of dateLanguages that lang asks for.
func dateLanguage(lang string) (language.Tag, error) {
	switch lang { // the school's own, as every page asks: no parsing
	case "es":
		return language.Spanish, nil
	case "en":
		return language.English, nil
	case "pt":
		return language.Portuguese, nil
	}
	tag, err := language.Parse(lang)
	if err != nil {
		return language.Und, fmt.Errorf("certpdf: language %q: %w", lang, err)
	}
	_, i, conf := dateMatcher.Match(tag)
	if conf == language.No {
		return language.Und, fmt.Errorf("certpdf: no dates in language %q (es, en or pt)", lang)
	}
	return dateLanguages[i], nil
}
