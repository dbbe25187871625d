package handlers_test

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
)

// importFixture loads the three-language test course, owned by ownerID, and returns its id.
func (a *testApp) importFixture(ownerID int64, publish bool) courses.Course {
	a.t.Helper()
	b, errs := courses.ReadBundle(os.DirFS("../courses/testdata/bundles/three-languages"))
	if len(errs) > 0 {
		a.t.Fatal(errs)
	}
	ctx := context.Background()
	id, _, err := a.Store.ImportBundle(ctx, ownerID, b)
	if err != nil {
		a.t.Fatal(err)
	}
	if publish {
		if err := a.Store.SetCourseStatus(ctx, courses.Actor{}, id, courses.StatusPublished); err != nil {
			a.t.Fatal(err)
		}
	}
	co, err := a.Store.Course(ctx, id)
	if err != nil {
		a.t.Fatal(err)
	}
	return co
}

func (c *client) upload(path, field, filename string, data []byte, extra url.Values) response {
	c.app.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range extra {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile(field, filename)
	_, _ = fw.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, c.app.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func TestInstructorCannotEditACourseTheyDoNotTeach(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	app.user("other@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	lesson := co.Modules[0].Lessons[0]
	other := app.client("es")
	other.mustLogin("other@example.org")
	base := fmt.Sprintf("/teach/courses/%d", co.ID)
	// By URL: every authoring page and action of someone else's course.
	for _, r := range []response{
		other.get(base),
		other.get(base + "/preview"),
		other.get(base + "/export"),
		other.get(fmt.Sprintf("%s/lessons/%d", base, lesson.ID)),
		other.post(base, url.Values{"title": {"Robado"}, "slug": {"robado"}, "audiences": {"police"}, "level": {"advanced"}, "hours": {"1"}, "default_language": {"es"}}),
		other.post(base+"/status", url.Values{"status": {"published"}}),
		other.post(fmt.Sprintf("%s/lessons/%d", base, lesson.ID), url.Values{"title": {"x"}, "body": {"x"}, "lang": {"es"}}),
		other.post(fmt.Sprintf("%s/lessons/%d/delete", base, lesson.ID), nil),
		other.post(fmt.Sprintf("%s/modules/%d/lessons", base, co.Modules[0].ID), url.Values{"title": {"x"}}),
		other.post(base+"/instructors", url.Values{"email": {"other@example.org"}}),
	} {
		if r.Status != http.StatusForbidden {
			t.Errorf("status %d, want 403", r.Status)
		}
	}
	// By form field: the course's slug inside an uploaded zip names someone else's course.
	b, _ := courses.ReadBundle(os.DirFS("../courses/testdata/bundles/three-languages"))
	var zipped bytes.Buffer
	if err := courses.WriteBundleZip(b, &zipped); err != nil {
		t.Fatal(err)
	}
	r := other.upload("/teach/import", "bundle", "course.zip", zipped.Bytes(), nil)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "usted no lo enseña") {
		t.Fatalf("import over another's course: %d", r.Status)
	}
	// By id: a lesson of another course, through one's own course.
	mine := app.client("es")
	mine.mustLogin("owner@example.org")
	app.user("third@example.org", courses.RoleInstructor)
	third := app.client("es")
	third.mustLogin("third@example.org")
	third.post("/teach/courses", url.Values{"title": {"Propio"}, "audiences": {"police"}, "level": {"introductory"}, "hours": {"2"}, "default_language": {"es"}})
	list, _ := app.Store.TaughtCourses(context.Background(), 0, true)
	var ownID int64
	for _, c := range list {
		if c.Slug == "propio" {
			ownID = c.ID
		}
	}
	if r := third.post(fmt.Sprintf("/teach/courses/%d/lessons/%d/delete", ownID, lesson.ID), nil); r.Status != http.StatusNotFound {
		t.Fatalf("deleting another course's lesson through one's own: %d", r.Status)
	}
	after, _ := app.Store.Course(context.Background(), co.ID)
	if after.Status != courses.StatusDraft || after.LessonCount() != co.LessonCount() || after.Texts["es"].Title != co.Texts["es"].Title || len(after.InstructorIDs) != 0 {
		t.Fatalf("the course changed: %+v", after)
	}
	// A co-instructor may edit.
	if r := mine.post(fmt.Sprintf("/teach/courses/%d/instructors", co.ID), url.Values{"email": {"other@example.org"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add co-instructor: %d", r.Status)
	}
	if r := other.get(base); r.Status != http.StatusOK {
		t.Fatalf("co-instructor: %d", r.Status)
	}
	app.user("trainee@example.org", courses.RoleTrainee)
	tc := app.client("es")
	tc.mustLogin("trainee@example.org")
	if r := tc.get("/teach"); r.Status != http.StatusForbidden {
		t.Fatalf("trainee on /teach: %d", r.Status)
	}
}

func TestCourseAuthoringRejectsBadInputWithMessages(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("owner@example.org", courses.RoleInstructor)
	c := app.client("en")
	c.mustLogin("owner@example.org")
	r := c.post("/teach/courses", url.Values{"title": {""}, "slug": {"Not A Slug"}, "level": {"expert"}, "hours": {"0"}, "default_language": {"fr"}, "min_attendance": {"150"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad course: %d", r.Status)
	}
	for _, msg := range []string{"Escriba un título.", "Use solo minúsculas", "Elija al menos un público.", "Elija un nivel de la lista.", "entre 1 y 1000", "Elija español, portugués o inglés.", "Escriba un porcentaje entero de 0 a 100."} {
		if !strings.Contains(r.Body, msg) {
			t.Errorf("missing %q", msg)
		}
	}
	if list, _ := app.Store.TaughtCourses(context.Background(), 0, true); len(list) != 0 {
		t.Fatal("a bad course was saved")
	}
	good := url.Values{"title": {"Policía y comunidad"}, "audiences": {"police", "local_government"}, "level": {"introductory"}, "hours": {"4"}, "default_language": {"es"}}
	r = c.post("/teach/courses", good)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("good course: %d", r.Status)
	}
	if r := c.post("/teach/courses", good); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Ya hay un curso con esta dirección") {
		t.Fatalf("same slug twice: %d", r.Status)
	}
	details := c.get(r.Location + "/details")
	if !strings.Contains(details.Body, "policia-y-comunidad") {
		t.Fatal("slug not made from the title")
	}
	if list, _ := app.Store.TaughtCourses(context.Background(), 0, true); len(list) != 1 || list[0].MinAttendance != courses.DefaultMinAttendance {
		t.Fatalf("minimum attendance of a new course: %+v", list)
	}
	if r := c.post(r.Location+"/status", url.Values{"status": {"published"}}); r.Status != http.StatusSeeOther {
		t.Fatal(r.Status)
	} else if page := c.get(r.Location); !strings.Contains(page.Body, "Un curso sin lecciones no se puede publicar.") {
		t.Fatal("publishing an empty course: no message")
	}
}

func TestCatalogPageFiltersAndSaysWhenNothingMatches(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	app.importFixture(owner.ID, true)
	c := app.client("pt")
	r := c.get("/courses?audience=media&language=pt")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Um curso em três idiomas") || !strings.Contains(r.Body, "1 curso") {
		t.Fatalf("filtered catalog: %d\n%s", r.Status, r.Body)
	}
	r = c.get("/courses?audience=local_government")
	if !strings.Contains(r.Body, "Nenhum curso corresponde à busca.") || !strings.Contains(r.Body, `href="/courses"`) {
		t.Fatal("empty result: no message or no way to clear the filters")
	}
	if r := c.get("/courses?q=IDIOMAS&level=advanced"); !strings.Contains(r.Body, "Um curso em três idiomas") {
		t.Fatal("search + level")
	}
	for _, odd := range []string{"/courses?page=1000000000000000000", "/courses?q=%CA%BC", "/courses?page=-3&level=nope"} {
		if r := c.get(odd); r.Status != http.StatusOK {
			t.Errorf("%s: %d", odd, r.Status)
		}
	}
}

func TestCoursePageFallsBackToTheDefaultLanguageWithANotice(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.enrolledClient("bia@example.org", co.ID, "pt")
	// A lesson not yet translated into Portuguese is read in Spanish, inside the Portuguese course.
	untranslated := co.Modules[1].Lessons[0]
	r := c.get(fmt.Sprintf("/courses/three-languages/lessons/%d", untranslated.ID))
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Sin portugués") || !strings.Contains(r.Body, `<article class="lesson" lang="es">`) {
		t.Fatalf("lesson without Portuguese: %d", r.Status)
	}
	if r := c.get("/courses/three-languages"); !strings.Contains(r.Body, "Um curso em três idiomas") || strings.Contains(r.Body, "ainda não está disponível") {
		t.Fatal("course in Portuguese")
	}
	// A course with no Portuguese at all: shown in its default language, with a notice and the other languages.
	b, _ := courses.ReadBundle(os.DirFS("../courses/catalog/reporting-violence-crime"))
	id, _, err := app.Store.ImportBundle(context.Background(), owner.ID, b)
	if err != nil {
		t.Fatal(err)
	}
	_ = app.Store.SetCourseStatus(context.Background(), courses.Actor{}, id, courses.StatusPublished)
	r = c.get("/courses/reporting-violence-crime")
	if !strings.Contains(r.Body, "Este curso ainda não está disponível em Português: é mostrado em Español.") {
		t.Fatalf("no fallback notice:\n%s", r.Body)
	}
	if !strings.Contains(r.Body, `href="/courses/reporting-violence-crime?lang=en"`) {
		t.Fatal("no link to the other language")
	}
	if r := c.get("/courses/reporting-violence-crime?lang=en"); !strings.Contains(r.Body, "Reporting on violence and crime") || strings.Contains(r.Body, "ainda não está disponível") {
		t.Fatal("?lang=en does not choose English")
	}
}

func TestDraftCoursesAreHiddenFromTrainees(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	if r := app.client("es").get("/courses/three-languages"); r.Status != http.StatusNotFound {
		t.Fatalf("draft course page for a visitor: %d", r.Status)
	}
	app.user("trainee@example.org", courses.RoleTrainee)
	trainee := app.client("es")
	trainee.mustLogin("trainee@example.org")
	if r := trainee.get(fmt.Sprintf("/courses/three-languages/lessons/%d", co.Modules[0].Lessons[0].ID)); r.Status != http.StatusNotFound {
		t.Fatalf("draft lesson for a trainee: %d", r.Status)
	}
	c := app.client("es")
	c.mustLogin("owner@example.org")
	if r := c.get(fmt.Sprintf("/teach/courses/%d/preview", co.ID)); r.Status != http.StatusOK || !strings.Contains(r.Body, "Vista previa") {
		t.Fatalf("owner's preview: %d", r.Status)
	}
}

func TestLessonsAreRenderedSafely(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	lesson := co.Modules[0].Lessons[0]
	c := app.client("es")
	c.mustLogin("owner@example.org")
	body := "## Hola\n\n<script>alert(1)</script>\n\n[clic](javascript:alert(1))\n\n![mapa](images/map.png)\n\n<img src=x onerror=alert(2)>"
	edit := fmt.Sprintf("/teach/courses/%d/lessons/%d", co.ID, lesson.ID)
	preview := c.post(edit, url.Values{"title": {"Bienvenida"}, "body": {body}, "lang": {"es"}, "action": {"preview"}})
	if preview.Status != http.StatusOK || !strings.Contains(preview.Body, "<h2>Hola</h2>") {
		t.Fatalf("preview: %d", preview.Status)
	}
	if saved, _ := app.Store.Course(context.Background(), co.ID); saved.Modules[0].Lessons[0].Texts["es"].Body == body {
		t.Fatal("preview saved the lesson")
	}
	if r := c.post(edit, url.Values{"title": {"Bienvenida"}, "body": {body}, "lang": {"es"}, "action": {"save"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Status)
	}
	page := app.enrolledClient("reader@example.org", co.ID, "es").get(fmt.Sprintf("/courses/three-languages/lessons/%d", lesson.ID))
	for _, bad := range []string{"<script>alert", "javascript:", "onerror"} {
		if strings.Contains(page.Body, bad) {
			t.Errorf("lesson page contains %q", bad)
		}
	}
	if !strings.Contains(page.Body, `<img src="/courses/three-languages/images/map.png" alt="mapa">`) {
		t.Fatal("course image not shown")
	}
	img := app.client("es").get("/courses/three-languages/images/map.png")
	if img.Status != http.StatusOK || img.Header.Get("Content-Type") != "image/png" || img.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("image: %d %v", img.Status, img.Header)
	}
	if r := c.post(edit, url.Values{"title": {""}, "body": {"x"}, "lang": {"es"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Escriba un título.") {
		t.Fatalf("lesson without title: %d", r.Status)
	}
}

func tinyPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func TestImageUploadChecksContent(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, true)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	path := fmt.Sprintf("/teach/courses/%d/images", co.ID)
	r := c.upload(path, "image", "Mi Foto.PNG", tinyPNG(), nil)
	if page := c.get(r.Location); !strings.Contains(page.Body, "Se subió la imagen.") || !strings.Contains(page.Body, "mi-foto.png") {
		t.Fatal("upload not confirmed")
	}
	for name, data := range map[string][]byte{
		"evil.svg":  []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`),
		"fake.png":  []byte("<html><script>alert(1)</script></html>"),
		"large.png": append(tinyPNG(), make([]byte, courses.MaxImageBytes)...),
	} {
		r := c.upload(path, "image", name, data, nil)
		page := c.get(r.Location)
		if !strings.Contains(page.Body, "notice bad") {
			t.Errorf("%s accepted", name)
		}
	}
	images, _ := app.Store.Images(context.Background(), co.ID)
	for _, img := range images {
		if strings.HasPrefix(img.Name, "evil") || strings.HasPrefix(img.Name, "fake") || strings.HasPrefix(img.Name, "large") {
			t.Errorf("stored %s", img.Name)
		}
	}
}

func TestImportReportsEveryProblemWithFileAndLineAndWritesNothing(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	app.user("owner@example.org", courses.RoleInstructor)
	c := app.client("en")
	c.mustLogin("owner@example.org")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"course.yaml":          "slug: Bad Slug\ndefault_language: es\naudiences: [police]\nlevel: expert\nhours: 3\ntranslations:\n  es: {title: \"Curso\"}\nmodules:\n  - folder: 01-uno\n    titles: {es: \"Uno\"}\n",
		"01-uno/01-hola.es.md": "sin título\n\ntexto",
		"../evil.md":           "x",
	} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(content))
	}
	_ = zw.Close()
	r := c.upload("/teach/import", "bundle", "broken.zip", buf.Bytes(), nil)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "no se importó nada") {
		t.Fatalf("broken zip: %d\n%s", r.Status, r.Body)
	}
	if !strings.Contains(r.Body, "<code>../evil.md</code>") {
		t.Fatalf("unsafe path not reported:\n%s", r.Body)
	}
	if list, _ := app.Store.TaughtCourses(context.Background(), 0, true); len(list) != 0 {
		t.Fatal("a broken import wrote a course")
	}
	// Without the unsafe entry, each problem of the course itself is listed with its file and line.
	buf.Reset()
	zw = zip.NewWriter(&buf)
	for name, content := range map[string]string{
		"course.yaml":          "slug: Bad Slug\ndefault_language: es\naudiences: [police]\nlevel: expert\nhours: 3\ntranslations:\n  es: {title: \"Curso\"}\nmodules:\n  - folder: 01-uno\n    titles: {es: \"Uno\"}\n",
		"01-uno/01-hola.es.md": "sin título\n\ntexto",
	} {
		w, _ := zw.Create(name)
		_, _ = w.Write([]byte(content))
	}
	_ = zw.Close()
	r = c.upload("/teach/import", "bundle", "broken.zip", buf.Bytes(), nil)
	for _, want := range []string{"<code>course.yaml:1</code>", "<code>course.yaml:4</code>", "<code>01-uno/01-hola.es.md:1</code>"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("missing %s in\n%s", want, regexp.MustCompile(`(?s)<ul>.*?</ul>`).FindString(r.Body))
		}
	}
}

func TestExportThenImportGivesTheSameCourse(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	c := app.client("es")
	c.mustLogin("owner@example.org")
	r := c.get(fmt.Sprintf("/teach/courses/%d/export", co.ID))
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	b, errs := courses.ReadBundleZip(bytes.NewReader([]byte(r.Body)), int64(len(r.Body)))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	orig, _ := courses.ReadBundle(os.DirFS("../courses/testdata/bundles/three-languages"))
	want, _ := courses.WriteBundle(orig)
	got, _ := courses.WriteBundle(b)
	if len(got) != len(want) {
		t.Fatalf("%d files, want %d", len(got), len(want))
	}
	for name := range want {
		if !bytes.Equal(got[name], want[name]) {
			t.Errorf("%s differs", name)
		}
	}
	// Re-importing the export through the page updates the course in place.
	re := c.upload("/teach/import", "bundle", "three-languages.zip", []byte(r.Body), nil)
	if re.Status != http.StatusSeeOther || re.Location != fmt.Sprintf("/teach/courses/%d", co.ID) {
		t.Fatalf("re-import: %d %s", re.Status, re.Location)
	}
}

// Anonymous visitors share the catalog, as rendered, for a second per language and query:
// the second view sends nothing to PostgreSQL, a course published meanwhile shows once the
// second is over, and people signed in see it at once.
func TestTheAnonymousCatalogIsSharedForASecondOnly(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	owner := app.user("owner@example.org", courses.RoleInstructor)
	co := app.importFixture(owner.ID, false)
	visitor, other := app.client("es"), app.client("es")
	if r := visitor.get("/courses"); r.Status != http.StatusOK || strings.Contains(r.Body, co.Slug) {
		t.Fatalf("catalog before publishing: %d", r.Status)
	}
	if err := app.Store.SetCourseStatus(context.Background(), courses.Actor{}, co.ID, courses.StatusPublished); err != nil {
		t.Fatal(err)
	}
	before := app.Store.Statements()
	if r := other.get("/courses"); strings.Contains(r.Body, co.Slug) {
		t.Fatal("the shared catalog was not the one just rendered")
	}
	if n := app.Store.Statements() - before; n != 0 {
		t.Fatalf("a shared catalog sent %d statements", n)
	}
	if r := other.get("/courses?q=&audience=&language=&level=" + string(co.Level)); !strings.Contains(r.Body, co.Slug) {
		t.Fatal("another filter shared the first one's page")
	}
	// What the catalog's own form and links do not send is never shared: it cannot fill
	// the cache with pages of its own.
	before = app.Store.Statements()
	other.get("/courses?utm=1")
	other.get("/courses?utm=1")
	if n := app.Store.Statements() - before; n != 2 {
		t.Fatalf("an address with unknown parameters was shared: %d statements for two views", n)
	}
	if r := other.get("/courses?" + strings.Repeat("q=polic%C3%ADa&", 1000)); r.Status != http.StatusNotFound {
		t.Fatalf("a query of 15 KB: %d, want 404", r.Status)
	}
	if r := app.client("en").get("/courses"); !strings.Contains(r.Body, co.Slug) || !strings.Contains(r.Body, `<html lang="en">`) {
		t.Fatal("another language shared the Spanish page")
	}
	staff := app.client("es")
	staff.mustLogin("owner@example.org")
	if r := staff.get("/courses"); !strings.Contains(r.Body, co.Slug) {
		t.Fatal("someone signed in was given the shared page")
	}
	app.Clock.Advance(time.Second)
	if r := visitor.get("/courses"); !strings.Contains(r.Body, co.Slug) {
		t.Fatal("the published course is not in the catalog a second later")
	}
}
