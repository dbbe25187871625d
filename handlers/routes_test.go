package handlers_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/handlers"
)

// publicRoutes are the routes anyone may open without signing in; every other route must
// send an anonymous visitor to the sign-in page.
var publicRoutes = map[string]bool{
	"GET /": true, "GET /healthz": true, "GET /readyz": true, "GET /static/*path": true,
	"POST /language": true, "GET /register": true, "POST /register": true, "GET /login": true, "POST /login": true,
	"POST /logout": true, "GET /courses": true, "GET /courses/:slug": true, "GET /courses/:slug/images/:name": true,
	"GET /password/set": true, "POST /password/set": true, "GET /password/forgot": true, "POST /password/forgot": true,
	"GET /email/confirm": true, "POST /email/confirm": true,
	"GET /verify": true, "GET /verify/:code": true, "GET /.well-known/jwks.json": true, "GET /.well-known/did.json": true,
	"GET /credentials/revocation": true, "GET /impact": true,
}

// TestEveryRouteChecksWhoMayUseIt walks every registered route with real ids in its path:
// anonymous visitors are sent to sign in (but on the public routes), trainees get 403 on
// every /teach and /admin route, an instructor who does not teach a course gets 403 or 404
// on every route of its editor, and its owner gets each of its pages. A route added
// later without its check fails here.
func TestEveryRouteChecksWhoMayUseIt(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	ctx := context.Background()
	owner := app.user("owner@example.org", courses.RoleInstructor)
	app.user("other@example.org", courses.RoleInstructor)
	trainee := app.user("trainee@example.org", courses.RoleTrainee)
	co := app.importFixture(owner.ID, true)
	cohort := defaultCohort(t, app, co.ID)
	session, err := app.Store.AddSession(ctx, courses.CohortSession{CohortID: cohort, StartsAt: app.Clock.Now(), Minutes: 60, Place: "Sala 1"})
	if err != nil {
		t.Fatal(err)
	}
	code, _ := courses.NewCheckInCode(rand.Reader)
	if err := app.Store.OpenCheckIn(ctx, courses.Actor{}, cohort, session, code, app.Clock.Now(), app.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SaveImage(ctx, co.ID, "map.png", "image/png", tinyPNG()); err != nil {
		t.Fatal(err)
	}
	category, question, quiz, attempt := bankFixture(t, app, co.ID, co.Modules[0].ID, cohort, owner.ID, trainee.ID)
	certified := app.certificateCourse(courses.IssueAuto, "Ana Gómez")
	batch, err := app.Store.StartCertificateBatch(ctx, courses.Actor{UserID: owner.ID}, certified.CohortID)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{
		":certificate": fmt.Sprint(certified.issued(t, app, 0).ID), ":batch": fmt.Sprint(batch),
		":category": fmt.Sprint(category), ":question": fmt.Sprint(question), ":quiz": fmt.Sprint(quiz), ":attempt": fmt.Sprint(attempt), ":slot": "0",
		":course": fmt.Sprint(co.ID), ":module": fmt.Sprint(co.Modules[0].ID), ":lesson": fmt.Sprint(co.Modules[0].Lessons[0].ID),
		":cohort": fmt.Sprint(cohort), ":session": fmt.Sprint(session), ":lang": "pt", ":name": "map.png",
		":user": fmt.Sprint(owner.ID), ":id": fmt.Sprint(trainee.ID), ":slug": co.Slug, "*path": "/css/aula.css",
		// A trainee's certificate is read by its id for its holder only (certificates_test.go).
		":code": "0000", ":email": fmt.Sprint(app.anEmail()),
	}
	fill := func(route string) string {
		parts := strings.Split(route, "/")
		for i, p := range parts {
			if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
				v, ok := params[p]
				if !ok {
					t.Fatalf("route %s: no real value for %s; add one to this test", route, p)
				}
				parts[i] = strings.TrimPrefix(v, "/")
			}
		}
		return strings.Join(parts, "/")
	}

	lister, err := handlers.New(handlers.Deps{Store: app.Store, Redis: app.Redis, SignIns: app.SignIns})
	if err != nil {
		t.Fatal(err)
	}
	anonymous := app.client("es")
	trainees := app.client("es")
	trainees.mustLogin("trainee@example.org")
	others := app.client("es")
	others.mustLogin("other@example.org")
	owners := app.client("es")
	owners.mustLogin("owner@example.org")
	send := func(c *client, method, path string) response {
		if method == http.MethodPost {
			return c.post(path, nil)
		}
		return c.get(path)
	}
	walked := 0
	for _, r := range lister.Routes() {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			t.Errorf("%s %s: a method this test does not send", r.Method, r.Path)
			continue
		}
		route := r.Method + " " + r.Path
		path := fill(r.Path)
		walked++
		if !publicRoutes[route] {
			if res := send(anonymous, r.Method, path); res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Location, "/login") {
				t.Errorf("%s anonymous: %d to %q, want 303 to /login", route, res.Status, res.Location)
			}
		}
		if strings.HasPrefix(r.Path, "/teach") || strings.HasPrefix(r.Path, "/admin") {
			if res := send(trainees, r.Method, path); res.Status != http.StatusForbidden {
				t.Errorf("%s as a trainee: %d, want 403", route, res.Status)
			}
		}
		if strings.HasPrefix(r.Path, "/teach/courses/:course") {
			if res := send(others, r.Method, path); res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
				t.Errorf("%s as an instructor of another course: %d, want 403 or 404", route, res.Status)
			}
			// The ids are real: the owner opens every page of the editor.
			if r.Method == http.MethodGet {
				if res := send(owners, r.Method, path); res.Status != http.StatusOK {
					t.Errorf("%s as its owner: %d, want 200", route, res.Status)
				}
			}
		}
	}
	if walked < 50 {
		t.Fatalf("walked %d routes: the route list is not the application's", walked)
	}

	// A nested id of the owner's other course, under this course's URL, is not found: each
	// is checked against its parent, not only against who may edit.
	otherID, err := app.Store.CreateCourse(ctx, owner.ID, courses.Course{Slug: "otro-curso", Audiences: []courses.Audience{courses.AudiencePolice},
		Level: courses.LevelIntroductory, Hours: 2, DefaultLanguage: "es", Texts: map[string]courses.CourseText{"es": {Title: "Otro curso"}}})
	if err != nil {
		t.Fatal(err)
	}
	otherModule, err := app.Store.AddModule(ctx, otherID, "es", "Otro módulo")
	if err != nil {
		t.Fatal(err)
	}
	otherLesson, err := app.Store.AddLesson(ctx, otherID, otherModule, "es", "Otra lección")
	if err != nil {
		t.Fatal(err)
	}
	otherCohort := defaultCohort(t, app, otherID)
	otherSession, err := app.Store.AddSession(ctx, courses.CohortSession{CohortID: otherCohort, StartsAt: app.Clock.Now(), Minutes: 60, Place: "Sala 2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Store.SaveImage(ctx, otherID, "otro.png", "image/png", tinyPNG()); err != nil {
		t.Fatal(err)
	}
	otherTrainee := app.user("trainee2@example.org", courses.RoleTrainee)
	otherCategory, otherQuestion, otherQuiz, otherAttempt := bankFixture(t, app, otherID, otherModule, otherCohort, owner.ID, otherTrainee.ID)
	foreign := map[string]string{":module": fmt.Sprint(otherModule), ":lesson": fmt.Sprint(otherLesson),
		":cohort": fmt.Sprint(otherCohort), ":session": fmt.Sprint(otherSession), ":name": "otro.png",
		":category": fmt.Sprint(otherCategory), ":question": fmt.Sprint(otherQuestion), ":quiz": fmt.Sprint(otherQuiz), ":attempt": fmt.Sprint(otherAttempt)}
	crossed := 0
	for _, r := range lister.Routes() {
		if !strings.HasPrefix(r.Path, "/teach/courses/:course/") {
			continue
		}
		for param, v := range foreign {
			if !strings.Contains(r.Path+"/", "/"+param+"/") {
				continue
			}
			saved := params[param]
			params[param] = v
			if param == ":cohort" { // a session of this course under the other cohort would not tell
				params[":session"] = fmt.Sprint(otherSession)
			}
			path := fill(r.Path)
			params[param], params[":session"] = saved, fmt.Sprint(session)
			crossed++
			res := send(owners, r.Method, path)
			// Deleting an image is by name within the course: another course's name is
			// simply not there (checked below), as after a double click.
			if res.Status != http.StatusNotFound && !(param == ":name" && r.Method == http.MethodPost && res.Status == http.StatusSeeOther) {
				t.Errorf("%s %s with %s of another course: %d, want 404", r.Method, r.Path, param, res.Status)
			}
		}
	}
	if crossed < 15 {
		t.Fatalf("crossed %d nested ids: the routes have changed, or this test has", crossed)
	}
	other, err := app.Store.Course(ctx, otherID)
	if err != nil || len(other.Modules) != 1 || other.LessonCount() != 1 || other.Modules[0].Titles["es"] != "Otro módulo" {
		t.Fatalf("the other course changed: %+v %v", other, err)
	}
	if images, err := app.Store.Images(ctx, otherID); err != nil || len(images) != 1 {
		t.Fatalf("the other course's images: %v %v", images, err)
	}
	// Nor its bank, quiz or attempt.
	if q, err := app.Store.BankQuestion(ctx, otherID, otherQuestion); err != nil || q.Version != 1 || q.CategoryID != otherCategory {
		t.Fatalf("the other course's question: %+v %v", q, err)
	}
	if a, err := app.Store.AttemptOfCourse(ctx, otherID, otherAttempt); err != nil || !a.Pending {
		t.Fatalf("the other course's attempt was marked: %+v %v", a, err)
	}
	if grants, err := app.Store.QuizGrants(ctx, otherID, otherQuiz); err != nil || len(grants) != 0 {
		t.Fatalf("the other course's grants: %+v %v", grants, err)
	}
	// The course did not change under the requests that were refused.
	after, err := app.Store.Course(ctx, co.ID)
	if err != nil || after.Status != courses.StatusPublished || after.LessonCount() != co.LessonCount() || len(after.InstructorIDs) != 0 {
		t.Fatalf("the course changed: %+v %v", after, err)
	}
}
