package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
)

// A course's quizzes leave and come back through its zip; a zip that would drop a quiz
// trainees attempted is refused whole, with a word on why.
func TestCourseZipCarriesItsQuizzesAndKeepsAnAttemptedOne(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	owner := app.user("owner@example.org", courses.RoleInstructor)
	sub, err := fs.Sub(catalog.FS, "small-arms-control")
	if err != nil {
		t.Fatal(err)
	}
	b, errs := courses.ReadBundle(sub)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	id, _, err := app.Store.ImportBundle(ctx, owner.ID, b)
	if err != nil {
		t.Fatal(err)
	}
	c := app.client("es")
	c.mustLogin("owner@example.org")
	r := c.get(fmt.Sprintf("/teach/courses/%d/export", id))
	exported, errs := courses.ReadBundleZip(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(exported.Questions, b.Questions) || len(exported.Course.Modules[0].Quizzes) != 1 {
		t.Fatal("the export lost the quizzes")
	}

	trainee := app.user("trainee@example.org", courses.RoleTrainee)
	if _, err := app.Store.Enrol(ctx, trainee.ID, defaultCohort(t, app, id), "", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	quizzes, _ := app.Store.Quizzes(ctx, id)
	if _, err := app.Store.StartAttempt(ctx, trainee.ID, id, quizzes[0].ID, "es", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	b.Course.Modules[0].Quizzes = nil
	delete(b.Questions, b.Course.Modules[0].Key)
	var zipped bytes.Buffer
	if err := courses.WriteBundleZip(b, &zipped); err != nil {
		t.Fatal(err)
	}
	re := c.upload("/teach/import", "bundle", "course.zip", zipped.Bytes(), nil)
	if re.Status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(re.Body), "quita un cuestionario que algunas personas participantes ya intentaron") {
		t.Errorf("re-import dropping an attempted quiz: %d", re.Status)
	}
	if after, _ := app.Store.Quizzes(ctx, id); len(after) != len(quizzes) {
		t.Errorf("%d quizzes after a refused import, want %d", len(after), len(quizzes))
	}
}
