package store

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

// TestAQuizsDrawIsKeptUnderItsCoursesVersion: a start that keeps no draw of the quiz, or keeps
// one of another version, decodes the draw its read brought and keeps it; a start whose read
// brought none (its version was the kept one's) shares the kept draw, decoding nothing; a
// read with no draw for a version not kept is a quiz not found; a draw that does not decode is
// an error, never kept.
func TestAQuizsDrawIsKeptUnderItsCoursesVersion(t *testing.T) {
	draw := `{"id":4,"module_id":2,"key":"final","position":1,"titles":{"es":"Examen final"},
		"settings":{"time_limit":1200000000000},"items":[{"question_id":0,"category_id":9,"count":2}],
		"bank":{"ids":[11,12,13],"categories":[9,9,9],"versions":[21,22,23]}}`
	edited := `{"id":4,"module_id":2,"key":"final","position":1,"titles":{"es":"Examen final"},
		"settings":{"time_limit":1800000000000},"items":[{"question_id":0,"category_id":9,"count":2}],
		"bank":{"ids":[11,13],"categories":[9,9],"versions":[21,24]}}`
	var c drawCache
	steps := []struct {
		name    string
		version int64  // the course's, as the read found it
		draw    string // what the read brought ("": NULL)
		want    string // the time limit and the bank's versions of the draw given, or the error
		kept    int64  // the version kept after it
	}{
		{"a first start", 7, draw, "20m0s [21 22 23]", 7},
		{"the next start", 7, "", "20m0s [21 22 23]", 7},
		{"a start after an edit", 8, edited, "30m0s [21 24]", 8},
		{"the next start after it", 8, "", "30m0s [21 24]", 8},
		{"a read that brought no draw for a version not kept", 9, "", "not found", 8},
		{"a draw that does not decode", 9, `{"id":4,"items":`, "error", 8},
		{"a bank whose arrays differ", 9, `{"id":4,"settings":{},"items":[],"bank":{"ids":[1],"categories":[],"versions":[2]}}`, "error", 8},
		{"a course with no version", 0, draw, "20m0s [21 22 23]", 8},
	}
	var last quizDraw
	for _, s := range steps {
		r := startRead{CourseID: 3, Version: s.version}
		if s.draw != "" {
			r.Draw = []byte(s.draw)
		}
		kept := c.get(4)
		d, err := c.of(4, kept, r)
		var got string
		switch {
		case errors.Is(err, courses.ErrNotFound):
			got = "not found"
		case err != nil:
			got = "error"
		default:
			var versions []int64
			for _, b := range d.bank {
				versions = append(versions, b.VersionID)
			}
			got = fmt.Sprint(d.quiz.Settings.TimeLimit, " ", versions)
		}
		if got != s.want {
			t.Fatalf("%s: got %q, want %q", s.name, got, s.want)
		}
		if v := c.get(4).version; v != s.kept {
			t.Fatalf("%s: version %d kept, want %d", s.name, v, s.kept)
		}
		if s.draw == "" && err == nil && reflect.ValueOf(d.quiz.Items).Pointer() != reflect.ValueOf(last.quiz.Items).Pointer() {
			t.Fatalf("%s: the kept draw decoded again", s.name)
		}
		if err == nil {
			last = d
		}
	}
	// Another course's read never takes the kept draw, whatever its version says.
	if _, err := c.of(4, c.get(4), startRead{CourseID: 5, Version: 8}); !errors.Is(err, courses.ErrNotFound) {
		t.Fatalf("another course's start: %v", err)
	}
	if d := c.get(4); d.quiz.Settings.TimeLimit != 30*time.Minute {
		t.Fatalf("kept %v", d.quiz.Settings.TimeLimit)
	}
}
