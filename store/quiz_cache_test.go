package store

import (
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
	var c quizCache
	first, err := c.of(row)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := row.quiz()
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("decoded %+v, want %+v", first, want)
	}
	again, _ := c.of(row)
	if reflect.ValueOf(again.Items).Pointer() != reflect.ValueOf(first.Items).Pointer() ||
		reflect.ValueOf(again.Titles).Pointer() != reflect.ValueOf(first.Titles).Pointer() {
		t.Fatal("the same row decoded twice")
	}
	edited := row
	edited.Settings = []byte(`{"time_limit":1800000000000}`)
	for _, r := range []quizRow{edited, func() quizRow { r := row; r.Position = 2; return r }()} {
		q, err := c.of(r)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := r.quiz()
		if !reflect.DeepEqual(q, w) {
			t.Fatalf("after an edit: %+v, want %+v", q, w)
		}
	}
	if q, _ := c.of(edited); q.Settings.TimeLimit != 30*time.Minute {
		t.Fatalf("the edited quiz's time limit: %v", q.Settings.TimeLimit)
	}
	broken := row
	broken.Items = []byte(`[{"category_id":`)
	for range 2 {
		if _, err := c.of(broken); err == nil {
			t.Fatal("a row that does not decode gave a quiz")
		}
	}
}
