package courses

import (
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldAccents takes the marks off letters, for matching and slugs: "Policía" → "Policia",
// "São João" → "Sao Joao", "Ñandú" → "Nandu". Decomposing (NFD) and dropping the
// combining marks covers every accented letter Unicode composes, not only those a table
// lists.
func foldAccents(s string) string {
	// A transformer keeps state, so each call gets its own.
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s // only on invalid input the chain cannot read; matching then fails, as it should
	}
	return out
}
