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
