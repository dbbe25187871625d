package courses

import "testing"

func TestFoldAccentsTakesTheMarksOffEveryLetter(t *testing.T) {
	for in, want := range map[string]string{
		"Policía comunitaria": "Policia comunitaria", "São João": "Sao Joao", "Ñandú": "Nandu",
		"Instituição": "Instituicao", "Gênero": "Genero", "Pingüino": "Pinguino", "Ærø": "Ærø", "plain": "plain",
	} {
		if got := foldAccents(in); got != want {
			t.Errorf("foldAccents(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanTextKeepsWhatCanBeSaved(t *testing.T) {
	for in, want := range map[string]string{
		"línea\vsuave":      "líneasuave", // Word's soft line break
		"a\x00b\x85c":       "abc",        // NUL and a C1 control
		"bad\xffutf8":       "badutf8",
		"tab\tand\r\nlines": "tab\tand\r\nlines",
	} {
		if got := CleanText(in); got != want || !ValidText(got) {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}
