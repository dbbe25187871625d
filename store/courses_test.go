package store_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/courses/catalog"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
)

func readBundle(t *testing.T, fsys fs.FS) courses.Bundle {
	t.Helper()
	b, errs := courses.ReadBundle(fsys)
	if len(errs) > 0 {
		t.Fatalf("bundle: %v", errs)
	}
	return b
}

func fixture(t *testing.T) courses.Bundle {
	return readBundle(t, os.DirFS("../courses/testdata/bundles/three-languages"))
}

func catalogCourse(t *testing.T, slug string) courses.Bundle {
	sub, err := fs.Sub(catalog.FS, slug)
	if err != nil {
		t.Fatal(err)
	}
	return readBundle(t, sub)
}

func instructor(t *testing.T, st *store.Store, email string) courses.User {
	t.Helper()
	p := profile(email)
	u, err := st.CreateUser(context.Background(), p, "a long password", courses.RoleInstructor)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// exported reads a stored course back as a bundle, as the export does.
func exported(t *testing.T, st *store.Store, id int64) courses.Bundle {
	t.Helper()
	b, err := st.ExportBundle(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportThenExportRoundTripsACourseExactly(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	for _, b := range []courses.Bundle{fixture(t), catalogCourse(t, "citizen-security-human-development")} {
		id, created, err := st.ImportBundle(ctx, owner.ID, b)
		if err != nil || !created {
			t.Fatalf("import %s: %v created=%v", b.Course.Slug, err, created)
		}
		want, err := courses.WriteBundle(b)
		if err != nil {
			t.Fatal(err)
		}
		got, err := courses.WriteBundle(exported(t, st, id))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			for name := range want {
				if string(got[name]) != string(want[name]) {
					t.Errorf("%s: %s differs:\n%s\n---\n%s", b.Course.Slug, name, got[name], want[name])
				}
			}
			t.Fatalf("%s: export differs from the imported files (%d vs %d files)", b.Course.Slug, len(got), len(want))
		}
	}
}

func TestReimportUpdatesInPlaceAndKeepsProgress(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	trainee, _ := st.CreateUser(ctx, profile("trainee@example.org"), "a long password", courses.RoleTrainee)
	b := fixture(t)
	id, _, err := st.ImportBundle(ctx, owner.ID, b)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := st.Course(ctx, id)
	done := before.Modules[0].Lessons[0] // "welcome"
	if _, err := st.CompleteLesson(ctx, trainee.ID, done.ID, time.Now()); err != nil {
		t.Fatal(err)
	}

	// The instructor swaps the first two lessons, edits a title and drops the last lesson.
	m := &b.Course.Modules[0]
	m.Lessons[0], m.Lessons[1] = m.Lessons[1], m.Lessons[0]
	welcome := m.Lessons[1].Texts["es"]
	welcome.Title = "Bienvenida, versión 2"
	m.Lessons[1].Texts["es"] = welcome
	b.Course.Modules[1].Lessons = b.Course.Modules[1].Lessons[:1]
	again, created, err := st.ImportBundle(ctx, owner.ID, b)
	if err != nil || created || again != id {
		t.Fatalf("re-import: id %d created %v err %v", again, created, err)
	}
	after, _ := st.Course(ctx, id)
	if got := after.Modules[0].Lessons[1]; got.ID != done.ID || got.Texts["es"].Title != "Bienvenida, versión 2" {
		t.Fatalf("completed lesson: %+v, want id %d with the new title", got, done.ID)
	}
	if after.LessonCount() != before.LessonCount()-1 {
		t.Fatalf("lessons: %d, want %d", after.LessonCount(), before.LessonCount()-1)
	}

	// Dropping the completed lesson fails the whole import, and changes nothing.
	b.Course.Modules[0].Lessons = b.Course.Modules[0].Lessons[:1]
	b.Course.Texts["es"] = courses.CourseText{Title: "Título que no debe quedar"}
	if _, _, err := st.ImportBundle(ctx, owner.ID, b); !errors.Is(err, store.ErrLessonCompleted) {
		t.Fatalf("import dropping a completed lesson: %v", err)
	}
	unchanged, _ := st.Course(ctx, id)
	if !reflect.DeepEqual(unchanged, after) {
		t.Fatal("a refused import changed the course")
	}
}

func TestCatalogFiltersAndSearchesIgnoringAccentsAndCase(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	for _, slug := range []string{"community-policing-human-rights", "reporting-violence-crime", "citizen-security-human-development", "small-arms-control"} {
		id, _, err := st.ImportBundle(ctx, owner.ID, catalogCourse(t, slug))
		if err != nil {
			t.Fatal(err)
		}
		if slug != "small-arms-control" { // stays a draft: never in the catalog
			if err := st.SetCourseStatus(ctx, courses.Actor{}, id, courses.StatusPublished); err != nil {
				t.Fatal(err)
			}
		}
	}
	slugs := func(f store.CatalogFilter) []string {
		t.Helper()
		list, total, err := st.Catalog(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			out = append(out, c.Slug)
		}
		if f.Limit == 0 && total != len(out) {
			t.Fatalf("total %d for %d results", total, len(out))
		}
		return out
	}
	tests := []struct {
		name string
		f    store.CatalogFilter
		want []string
	}{
		{"everything published, by Spanish title", store.CatalogFilter{Viewer: "es"},
			[]string{"reporting-violence-crime", "community-policing-human-rights", "citizen-security-human-development"}},
		{"policia finds Policía", store.CatalogFilter{Query: "policia", Viewer: "es"}, []string{"community-policing-human-rights"}},
		{"upper case and accents typed", store.CatalogFilter{Query: "POLICÍA Comunitária", Viewer: "es"}, []string{"community-policing-human-rights"}},
		{"English words, by English title", store.CatalogFilter{Query: "human rights", Viewer: "en"},
			[]string{"citizen-security-human-development", "community-policing-human-rights"}},
		{"Portuguese words", store.CatalogFilter{Query: "segurança cidadã", Viewer: "pt"}, []string{"citizen-security-human-development"}},
		{"prefix", store.CatalogFilter{Query: "periodis", Viewer: "es"}, []string{"reporting-violence-crime"}},
		{"audience", store.CatalogFilter{Audience: courses.AudienceMedia, Viewer: "es"}, []string{"reporting-violence-crime", "citizen-security-human-development"}},
		{"language", store.CatalogFilter{Language: "pt", Viewer: "es"}, []string{"citizen-security-human-development"}},
		{"level", store.CatalogFilter{Level: courses.LevelIntermediate, Viewer: "es"}, []string{"community-policing-human-rights"}},
		{"drafts never show", store.CatalogFilter{Query: "armas", Viewer: "es"}, nil},
		{"quotes and operators are just text", store.CatalogFilter{Query: `'); DROP TABLE courses; -- & | !`, Viewer: "es"}, nil},
		{"pages", store.CatalogFilter{Viewer: "es", Offset: 1, Limit: 1}, []string{"community-policing-human-rights"}},
	}
	// Letters that unaccent turns into tsquery punctuation are searched, not an error.
	if _, _, err := st.Catalog(ctx, store.CatalogFilter{Query: "ʼ ː ŉ"}); err != nil {
		t.Fatalf("search with ʼ: %v", err)
	}
	for _, tt := range tests {
		got := slugs(tt.f)
		if tt.f.Limit == 0 && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		if tt.f.Limit > 0 && (len(got) != 1 || got[0] != tt.want[0]) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestReorderModulesAndLessons(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	id, err := st.CreateCourse(ctx, owner.ID, courses.Course{Slug: "orden", Audiences: []courses.Audience{courses.AudiencePolice},
		Level: courses.LevelIntroductory, Hours: 2, DefaultLanguage: "es", Texts: map[string]courses.CourseText{"es": {Title: "Orden"}}})
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := st.AddModule(ctx, id, "es", "Uno")
	m2, _ := st.AddModule(ctx, id, "es", "Dos")
	a, _ := st.AddLesson(ctx, id, m1, "es", "A")
	b, _ := st.AddLesson(ctx, id, m1, "es", "B")
	c, _ := st.AddLesson(ctx, id, m1, "es", "C")
	outline := func() (mods []string, lessons []string) {
		co, err := st.Course(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range co.Modules {
			mods = append(mods, m.Titles["es"])
		}
		for _, l := range co.Modules[indexOf(co, m1)].Lessons {
			lessons = append(lessons, l.Texts["es"].Title)
		}
		return
	}
	steps := []struct {
		do          func() error
		mods, lessn []string
	}{
		{func() error { return st.MoveModule(ctx, id, m2, -1) }, []string{"Dos", "Uno"}, []string{"A", "B", "C"}},
		{func() error { return st.MoveModule(ctx, id, m2, -1) }, []string{"Dos", "Uno"}, []string{"A", "B", "C"}}, // first stays first
		{func() error { return st.MoveLesson(ctx, id, c, -1) }, []string{"Dos", "Uno"}, []string{"A", "C", "B"}},
		{func() error { return st.MoveLesson(ctx, id, a, +1) }, []string{"Dos", "Uno"}, []string{"C", "A", "B"}},
		{func() error { return st.MoveLesson(ctx, id, b, +1) }, []string{"Dos", "Uno"}, []string{"C", "A", "B"}}, // last stays last
		{func() error { return st.DeleteLesson(ctx, id, a) }, []string{"Dos", "Uno"}, []string{"C", "B"}},
		{func() error { return st.MoveLesson(ctx, id, b, -1) }, []string{"Dos", "Uno"}, []string{"B", "C"}}, // across the gap
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		mods, lessons := outline()
		if !reflect.DeepEqual(mods, s.mods) || !reflect.DeepEqual(lessons, s.lessn) {
			t.Fatalf("step %d: modules %v lessons %v, want %v %v", i, mods, lessons, s.mods, s.lessn)
		}
	}
}

func indexOf(c courses.Course, moduleID int64) int {
	for i, m := range c.Modules {
		if m.ID == moduleID {
			return i
		}
	}
	return -1
}

func TestCompletedLessonCannotBeDeleted(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	trainee, _ := st.CreateUser(ctx, profile("trainee@example.org"), "a long password", courses.RoleTrainee)
	id, _, _ := st.ImportBundle(ctx, owner.ID, fixture(t))
	co, _ := st.Course(ctx, id)
	lesson := co.Modules[0].Lessons[0]
	if _, err := st.CompleteLesson(ctx, trainee.ID, lesson.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteLesson(ctx, id, lesson.ID); !errors.Is(err, store.ErrLessonCompleted) {
		t.Fatalf("delete completed lesson: %v", err)
	}
	if err := st.DeleteModule(ctx, id, co.Modules[0].ID); !errors.Is(err, store.ErrLessonCompleted) {
		t.Fatalf("delete module with a completed lesson: %v", err)
	}
	if after, _ := st.Course(ctx, id); after.LessonCount() != co.LessonCount() {
		t.Fatal("a refused delete removed lessons")
	}
	if err := st.DeleteLesson(ctx, id, co.Modules[1].Lessons[0].ID); err != nil {
		t.Fatalf("delete a lesson nobody completed: %v", err)
	}
}

func TestLessonIDsAreCheckedAgainstTheirCourse(t *testing.T) {
	ctx := context.Background()
	st := storetest.DB(t)
	owner := instructor(t, st, "owner@example.org")
	mine, _, _ := st.ImportBundle(ctx, owner.ID, fixture(t))
	theirs, _, _ := st.ImportBundle(ctx, owner.ID, catalogCourse(t, "reporting-violence-crime"))
	other, _ := st.Course(ctx, theirs)
	foreign := other.Modules[0].Lessons[0].ID
	for name, err := range map[string]error{
		"save":   st.SaveLessonText(ctx, mine, foreign, "es", courses.LessonText{Title: "x"}),
		"move":   st.MoveLesson(ctx, mine, foreign, 1),
		"delete": st.DeleteLesson(ctx, mine, foreign),
		"module": st.SetModuleTitle(ctx, mine, other.Modules[0].ID, "es", "x"),
	} {
		if !errors.Is(err, courses.ErrNotFound) {
			t.Errorf("%s with another course's id: %v", name, err)
		}
	}
	if after, _ := st.Course(ctx, theirs); !reflect.DeepEqual(after, other) {
		t.Fatal("the other course changed")
	}
}
