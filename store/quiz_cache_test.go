package store

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// TestAQuizIsDecodedOnceForItsStartsAndAnewOnceEdited: every start of a quiz reads the same
// row; the start decodes it once and shares what it decoded, until the row read differs (an
// instructor edited the quiz), and a row that does not decode is an error, never kept.
func TestAQuizIsDecodedOnceForItsStartsAndAnewOnceEdited(t *testing.T) {
	row := quizRow{ID: 4, ModuleID: 2, Key: "final", Position: 1, Titles: []byte(`{"es":"Examen final"}`),
		Settings: []byte(`{"time_limit":1200000000000}`), Items: []byte(`[{"category_id":9,"count":2}]`)}
	// The same row as another start reads it: the same bytes, in arrays of its own.
	readAgain := func(r quizRow) quizRow {
		r.Titles, r.Settings, r.Items = bytes.Clone(r.Titles), bytes.Clone(r.Settings), bytes.Clone(r.Items)
		return r
	}
	edited, moved := readAgain(row), readAgain(row)
	edited.Settings = []byte(`{"time_limit":1800000000000}`)
	moved.Position = 2
	var c quizCache
	for _, r := range []quizRow{row, edited, moved} {
		q, err := c.of(r)
		if err != nil {
			t.Fatal(err)
		}
		if w, _ := r.quiz(); !reflect.DeepEqual(q, w) {
			t.Fatalf("decoded %+v, want %+v", q, w)
		}
		again, _ := c.of(readAgain(r))
		if reflect.ValueOf(again.Items).Pointer() != reflect.ValueOf(q.Items).Pointer() ||
			reflect.ValueOf(again.Titles).Pointer() != reflect.ValueOf(q.Titles).Pointer() {
			t.Fatalf("the same row (position %d) decoded twice", r.Position)
		}
	}
	if q, _ := c.of(edited); q.Settings.TimeLimit != 30*time.Minute {
		t.Fatalf("the edited quiz's time limit: %v", q.Settings.TimeLimit)
	}
	broken := readAgain(row)
	broken.Items = []byte(`[{"category_id":`)
	for range 2 {
		if _, err := c.of(broken); err == nil {
			t.Fatal("a row that does not decode gave a quiz")
		}
	}
}
