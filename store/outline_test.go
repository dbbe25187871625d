package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
	"github.com/aula-school/aula/store/storetest"
	"github.com/jmoiron/sqlx"
)

// openBoth gives a store and a plain connection to the same fresh database, for tests that
// must put a row in a state no store method makes.
func openBoth(t *testing.T) (*store.Store, *sqlx.DB) {
	t.Helper()
	url := storetest.URL(t)
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return st, db
}

func firstLesson(t *testing.T, st *store.Store, courseID int64) courses.Lesson {
	t.Helper()
	c, err := st.Course(context.Background(), courseID)
	if err != nil {
		t.Fatal(err)
	}
	return c.Modules[0].Lessons[0]
}

func TestLessonHTMLIsStoredOnSaveAndRenderedAgainUnderANewPolicy(t *testing.T) {
	st, db := openBoth(t)
	ctx := context.Background()
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	lesson := firstLesson(t, st, id)
	if err := st.SaveLessonText(ctx, id, lesson.ID, "es", courses.LessonText{Title: "Hola", Body: "**fuerte** ![m](images/map.png)"}); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := db.Get(&stored, `SELECT html FROM lesson_texts WHERE lesson_id = $1 AND language = 'es'`, lesson.ID); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stored, "<strong>fuerte</strong>") || !strings.Contains(stored, `src="/courses/three-languages/images/map.png"`) {
		t.Fatalf("stored HTML %q", stored)
	}
	// A row rendered under an older policy: what a page shows must be rendered again, and saved.
	if _, err := db.Exec(`UPDATE lesson_texts SET html = '<script>old</script>', html_version = $2 WHERE lesson_id = $1`,
		lesson.ID, courses.MarkdownPolicyVersion-1); err != nil {
		t.Fatal(err)
	}
	p, err := st.CoursePage(ctx, "three-languages", "es", 0, lesson.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.LessonHTML["es"]; got != stored {
		t.Fatalf("HTML under an old policy: %q, want %q", got, stored)
	}
	var version int
	if err := db.Get(&version, `SELECT html_version FROM lesson_texts WHERE lesson_id = $1 AND language = 'es'`, lesson.ID); err != nil {
		t.Fatal(err)
	}
	if version != courses.MarkdownPolicyVersion {
		t.Fatalf("version %d after reading, want %d", version, courses.MarkdownPolicyVersion)
	}
}

func TestNewSlugPointsLessonImagesAtTheNewFolder(t *testing.T) {
	st := storetest.DB(t)
	ctx := context.Background()
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	lesson := firstLesson(t, st, id)
	if err := st.SaveLessonText(ctx, id, lesson.ID, "es", courses.LessonText{Title: "Hola", Body: "![m](images/map.png)"}); err != nil {
		t.Fatal(err)
	}
	c, err := st.Course(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	c.Slug = "renamed"
	if err := st.UpdateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	p, err := st.CoursePage(ctx, "renamed", "es", 0, lesson.ID)
	if err != nil {
		t.Fatal(err)
	}
	if html := p.LessonHTML["es"]; !strings.Contains(html, `src="/courses/renamed/images/map.png"`) {
		t.Fatalf("HTML after the slug changed: %q", html)
	}
}

func TestCoursePageHasLessonTitlesInTheReadersAndTheDefaultLanguageOnly(t *testing.T) {
	st := storetest.DB(t)
	ctx := context.Background()
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.CoursePage(ctx, "three-languages", "pt", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := st.Course(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Course.LessonCount(), whole.LessonCount(); got != want {
		t.Fatalf("%d lessons, want %d", got, want)
	}
	for i, m := range p.Course.Modules {
		for j, l := range m.Lessons {
			for lang, text := range l.Texts {
				if lang != "pt" && lang != "es" {
					t.Errorf("lesson %d has its %s title", l.ID, lang)
				}
				if text.Body != "" {
					t.Errorf("lesson %d carries its body", l.ID)
				}
				if text.Title != whole.Modules[i].Lessons[j].Texts[lang].Title {
					t.Errorf("lesson %d %s title %q", l.ID, lang, text.Title)
				}
			}
		}
	}
	// Localized, the outline reads as the whole course does.
	got, want := courses.Localize(p.Course, "pt"), courses.Localize(whole, "pt")
	for i := range want.Modules {
		for j, l := range want.Modules[i].Lessons {
			g := got.Modules[i].Lessons[j]
			if g.ID != l.ID || g.Title != l.Title || g.Language != l.Language || g.Number != l.Number {
				t.Errorf("lesson %+v, want %+v", g, l)
			}
		}
	}
}

func TestCourseImageOfADraftIsOnlyForItsEditors(t *testing.T) {
	st := storetest.DB(t)
	ctx := context.Background()
	owner := instructor(t, st, "owner@example.org")
	other := instructor(t, st, "other@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, viewer := range []int64{0, other.ID} {
		if _, err := st.CourseImage(ctx, "three-languages", "map.png", viewer); !errors.Is(err, courses.ErrNotFound) {
			t.Errorf("viewer %d sees a draft's image: %v", viewer, err)
		}
	}
	if img, err := st.CourseImage(ctx, "three-languages", "map.png", owner.ID); err != nil || img.ContentType != "image/png" || len(img.Data) == 0 {
		t.Fatalf("owner: %v %q", err, img.ContentType)
	}
	if err := st.SetCourseStatus(ctx, courses.Actor{}, id, courses.StatusPublished); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CourseImage(ctx, "three-languages", "map.png", 0); err != nil {
		t.Fatalf("published image, anonymous: %v", err)
	}
}

func TestLessonInNeitherTheReadersNorTheDefaultLanguageIsShownInTheOneItHas(t *testing.T) {
	st := storetest.DB(t)
	ctx := context.Background()
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Course(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	lessonID, err := st.AddLesson(ctx, id, c.Modules[0].ID, "en", "Only in English")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveLessonText(ctx, id, lessonID, "en", courses.LessonText{Title: "Only in English", Body: "*hello*"}); err != nil {
		t.Fatal(err)
	}
	p, err := st.CoursePage(ctx, "three-languages", "pt", 0, lessonID) // default es, reader pt
	if err != nil {
		t.Fatal(err)
	}
	lesson, _, _, ok := courses.Localize(p.Course, "pt").Lesson(lessonID)
	if !ok || lesson.Title != "Only in English" || lesson.Language != "en" {
		t.Fatalf("lesson %+v (found %v)", lesson, ok)
	}
	if html := p.LessonHTML[lesson.Language]; !strings.Contains(html, "<em>hello</em>") {
		t.Fatalf("HTML %q", html)
	}
}

// outlineOf is what a reader in lang sees of a course's outline, in order.
func outlineOf(t *testing.T, st *store.Store, slug, lang string) string {
	t.Helper()
	p, err := st.CoursePage(context.Background(), slug, lang, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	lc := courses.Localize(p.Course, lang)
	b.WriteString(lc.Title + " (" + lc.Language + "): " + lc.Summary + "\n")
	for _, m := range lc.Modules {
		b.WriteString(m.Title + ":")
		for _, l := range m.Lessons {
			b.WriteString(" " + l.Title + "/" + l.Language)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Two instances keep the outline they read; every kind of edit, through either, shows on
// both at their next read.
func TestEveryEditOfACourseShowsOnEveryInstanceAtOnce(t *testing.T) {
	url := storetest.URL(t)
	ctx := context.Background()
	var instances []*store.Store
	for range 2 {
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		instances = append(instances, st)
	}
	st := instances[0]
	owner := instructor(t, st, "owner@example.org")
	id, _, err := st.ImportBundle(ctx, owner.ID, fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	slug := "three-languages"
	cohortID, err := st.SaveCohort(ctx, courses.Actor{}, courses.Cohort{CourseID: id, Name: "Grupo", Mode: courses.ModeOnline, Policy: courses.PolicyOpen})
	if err != nil {
		t.Fatal(err)
	}
	trainee := trainees(t, st, 1)[0]
	if _, err := st.Enrol(ctx, trainee.ID, cohortID, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	check := func(step string) {
		t.Helper()
		fresh, err := store.Open(ctx, url) // keeps nothing yet
		if err != nil {
			t.Fatal(err)
		}
		defer fresh.Close()
		for _, lang := range courses.Languages {
			want := outlineOf(t, fresh, slug, lang)
			wantLearning := learningOf(t, fresh, trainee.ID, lang)
			for i, inst := range instances {
				if got := outlineOf(t, inst, slug, lang); got != want {
					t.Fatalf("after %s, instance %d in %s reads\n%s\nwant\n%s", step, i, lang, got, want)
				}
				if got := learningOf(t, inst, trainee.ID, lang); got != wantLearning {
					t.Fatalf("after %s, instance %d in %s shows My learning as %q, want %q", step, i, lang, got, wantLearning)
				}
			}
		}
	}
	check("the import")
	whole, err := st.Course(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	m0, m1 := whole.Modules[0], whole.Modules[1]
	l0 := m0.Lessons[0]
	if _, err := st.CompleteLesson(ctx, trainee.ID, m0.Lessons[len(m0.Lessons)-1].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	check("a lesson done") // so that My learning's share done moves with the lessons' number
	edits := []struct {
		name string
		do   func(st *store.Store) error
	}{
		{"a module renamed", func(st *store.Store) error { return st.SetModuleTitle(ctx, id, m0.ID, "es", "Otro módulo") }},
		{"a lesson retitled", func(st *store.Store) error {
			return st.SaveLessonText(ctx, id, l0.ID, "es", courses.LessonText{Title: "Otra lección", Body: "x"})
		}},
		{"a lesson translated", func(st *store.Store) error {
			return st.SaveLessonText(ctx, id, l0.ID, "pt", courses.LessonText{Title: "Outra lição", Body: "x"})
		}},
		{"a lesson added", func(st *store.Store) error { _, err := st.AddLesson(ctx, id, m0.ID, "es", "Nueva"); return err }},
		{"a lesson moved", func(st *store.Store) error { return st.MoveLesson(ctx, id, l0.ID, 1) }},
		{"a module moved", func(st *store.Store) error { return st.MoveModule(ctx, id, m1.ID, -1) }},
		{"a module added", func(st *store.Store) error { _, err := st.AddModule(ctx, id, "es", "Anexo"); return err }},
		{"a lesson deleted", func(st *store.Store) error { return st.DeleteLesson(ctx, id, l0.ID) }},
		{"a module deleted", func(st *store.Store) error { return st.DeleteModule(ctx, id, m1.ID) }},
		{"the course translated", func(st *store.Store) error {
			return st.SaveTranslation(ctx, id, "en", courses.CourseText{Title: "Three", Summary: "s"}, map[int64]string{m0.ID: "Other module"})
		}},
		{"the default language changed", func(st *store.Store) error {
			c, err := st.Course(ctx, id)
			if err != nil {
				return err
			}
			c.DefaultLanguage = "pt"
			return st.UpdateCourse(ctx, c)
		}},
		{"the course imported again", func(st *store.Store) error { _, _, err := st.ImportBundle(ctx, owner.ID, fixture(t)); return err }},
	}
	for i, e := range edits {
		if err := e.do(instances[i%2]); err != nil {
			t.Fatalf("%s: %v", e.name, err)
		}
		check(e.name)
	}
}

// learningOf is what userID's My learning shows of their courses in lang, and where each resumes.
func learningOf(t *testing.T, st *store.Store, userID int64, lang string) string {
	t.Helper()
	l, err := st.MyLearning(context.Background(), userID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, it := range append(append(l.Current, l.Waiting...), l.Completed...) {
		lc := courses.Localize(it.Course, lang)
		fmt.Fprintf(&b, "%s (%s) %d%% %s, from lesson %d; ", lc.Title, lc.Language, it.Percent, it.Course.Status, it.ResumeID)
	}
	return b.String()
}

// TestLessonPageRecordsThePlaceAsItReads: the lesson page's one statement records the lesson
// as the trainee's place, except when it is already their place of the last minute, and never
// for a lesson not of the course or an enrolment not active; CoursePage records nothing.
func TestLessonPageRecordsThePlaceAsItReads(t *testing.T) {
	st := storetest.DB(t)
	ctx := context.Background()
	co, cohortID := cohortFixture(t, st, 1, courses.PolicyOpen, "")
	if err := st.SetCourseStatus(ctx, courses.Actor{}, co.ID, courses.StatusPublished); err != nil {
		t.Fatal(err)
	}
	list := trainees(t, st, 2)
	reader, waiting := list[0], list[1] // a cohort of one: the second waits
	for _, u := range list {
		if _, err := st.Enrol(ctx, u.ID, cohortID, "", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	first, second := co.Modules[0].Lessons[0].ID, co.Modules[0].Lessons[1].ID
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	place := func(u courses.User) (int64, time.Time) {
		t.Helper()
		e, err := st.EnrolmentIn(ctx, u.ID, co.ID)
		if err != nil {
			t.Fatal(err)
		}
		var at time.Time
		if e.LastActivityAt != nil {
			at = *e.LastActivityAt
		}
		return e.LastLessonID, at.UTC()
	}
	read := func(u courses.User, lessonID int64, at time.Time) {
		t.Helper()
		if _, err := st.LessonPage(ctx, co.Slug, "es", u.ID, lessonID, at); err != nil {
			t.Fatal(err)
		}
	}
	read(reader, first, now)
	if id, at := place(reader); id != first || !at.Equal(now) {
		t.Fatalf("place %d at %v, want %d at %v", id, at, first, now)
	}
	read(reader, first, now.Add(30*time.Second)) // a reload: nothing to write
	if _, at := place(reader); !at.Equal(now) {
		t.Fatalf("a reload within the minute moved the place's time to %v", at)
	}
	read(reader, first, now.Add(2*time.Minute))
	if _, at := place(reader); !at.Equal(now.Add(2 * time.Minute)) {
		t.Fatalf("a read after the minute left the place's time at %v", at)
	}
	read(reader, second, now.Add(3*time.Minute))
	if id, _ := place(reader); id != second {
		t.Fatalf("place %d after reading %d", id, second)
	}
	if _, err := st.CoursePage(ctx, co.Slug, "es", reader.ID, first); err != nil {
		t.Fatal(err)
	}
	if id, _ := place(reader); id != second {
		t.Fatalf("CoursePage moved the place to %d", id)
	}
	if _, err := st.LessonPage(ctx, co.Slug, "es", reader.ID, second+1000, now.Add(4*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if id, _ := place(reader); id != second {
		t.Fatalf("a lesson not of the course became the place: %d", id)
	}
	read(waiting, first, now)
	if id, _ := place(waiting); id != 0 {
		t.Fatalf("a waiting trainee's place was recorded: %d", id)
	}
}
