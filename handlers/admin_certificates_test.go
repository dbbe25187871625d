package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/aula-school/aula/store"
)

// certificateCourse is a course of one lesson whose certificates follow issue, with its
// default cohort, and the trainees (named by names) who completed it there.
type certificateCourse struct {
	ID, CohortID int64
	Trainees     []courses.User
}

func (a *testApp) certificateCourse(issue courses.CertificateIssue, names ...string) certificateCourse {
	a.t.Helper()
	ctx := context.Background()
	owner := a.user(fmt.Sprintf("owner-%d@example.org", time.Now().UnixNano()), courses.RoleInstructor)
	id, err := a.Store.CreateCourse(ctx, owner.ID, courses.Course{Slug: fmt.Sprintf("curso-%d", time.Now().UnixNano()),
		Audiences: []courses.Audience{courses.AudiencePolice}, Level: courses.LevelIntroductory, Hours: 12, DefaultLanguage: "es",
		Texts: map[string]courses.CourseText{"es": {Title: "Policía de proximidad"}}})
	if err != nil {
		a.t.Fatal(err)
	}
	module, err := a.Store.AddModule(ctx, id, "es", "Módulo")
	if err != nil {
		a.t.Fatal(err)
	}
	lesson, err := a.Store.AddLesson(ctx, id, module, "es", "Lección")
	if err != nil {
		a.t.Fatal(err)
	}
	if err := a.Store.SaveCertificateSettings(ctx, id, courses.CertificateSettings{Issue: issue, ValidMonths: 24,
		Signatories: []courses.Signatory{{Name: "Coordinación académica", Title: "Aula"}}}); err != nil {
		a.t.Fatal(err)
	}
	cc := certificateCourse{ID: id, CohortID: defaultCohort(a.t.(*testing.T), a, id)}
	for i, name := range names {
		u, err := a.Store.CreateUser(ctx, courses.Profile{FullName: name, Email: fmt.Sprintf("trainee%d-%d@example.org", i, id),
			Country: "CR", Institution: "Policía", Sector: "police", Language: "es"}, testPassword, courses.RoleTrainee)
		if err != nil {
			a.t.Fatal(err)
		}
		if _, err := a.Store.Enrol(ctx, u.ID, cc.CohortID, "", time.Now()); err != nil {
			a.t.Fatal(err)
		}
		if _, err := a.Store.CompleteLesson(ctx, u.ID, lesson, time.Now()); err != nil {
			a.t.Fatal(err)
		}
		cc.Trainees = append(cc.Trainees, u)
	}
	return cc
}

// issued is the current certificate (not replaced) of the course's trainee i.
func (cc certificateCourse) issued(t *testing.T, app *testApp, i int) courses.Certificate {
	t.Helper()
	list, err := app.Store.HolderCertificates(context.Background(), cc.Trainees[i].ID)
	for _, c := range list {
		if c.ReplacedBy == "" {
			return c
		}
	}
	t.Fatalf("certificates of trainee %d: none current in %d, %v", i, len(list), err)
	return courses.Certificate{}
}

func adminClient(t *testing.T, app *testApp) (*client, courses.User) {
	t.Helper()
	admin := app.user("admin@example.org", courses.RoleAdmin)
	c := app.client("es")
	c.mustLogin("admin@example.org")
	return c, admin
}

func TestNonAdminsGetNoCertificateAdminPage(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	cc := app.certificateCourse(courses.IssueAuto, "Ana Gómez")
	ct := cc.issued(t, app, 0)
	batch, err := app.Store.StartCertificateBatch(context.Background(), courses.Actor{UserID: cc.Trainees[0].ID}, cc.CohortID)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"reason": {"error"}, "email": {cc.Trainees[0].Email}, "issue_course": {fmt.Sprint(cc.ID)}}
	for _, role := range []courses.Role{courses.RoleTrainee, courses.RoleInstructor} {
		email := string(role) + "@example.org"
		app.user(email, role)
		c := app.client("es")
		c.mustLogin(email)
		for _, r := range []struct {
			method, path string
		}{
			{"GET", "/admin/certificates"}, {"GET", "/admin/certificates.csv"}, {"POST", "/admin/certificates"},
			{"GET", fmt.Sprintf("/admin/certificates/%d", ct.ID)}, {"POST", fmt.Sprintf("/admin/certificates/%d/revoke", ct.ID)},
			{"POST", fmt.Sprintf("/admin/certificates/%d/unrevoke", ct.ID)}, {"POST", fmt.Sprintf("/admin/certificates/%d/reissue", ct.ID)},
			{"POST", fmt.Sprintf("/admin/cohorts/%d/certificates", cc.CohortID)}, {"POST", fmt.Sprintf("/admin/cohorts/%d/renewals", cc.CohortID)},
			{"GET", fmt.Sprintf("/admin/certificate-batches/%d", batch)}, {"GET", fmt.Sprintf("/admin/certificate-batches/%d/progress", batch)},
		} {
			if res := c.send(r.method, r.path, form); res.Status != http.StatusForbidden && res.Status != http.StatusNotFound {
				t.Errorf("%s %s %s: %d, want 403 or 404", role, r.method, r.path, res.Status)
			}
		}
	}
	if after, _ := app.Store.Certificate(context.Background(), ct.ID); !after.RevokedAt.IsZero() || after.ReplacedBy != "" {
		t.Fatalf("a refused request changed the certificate: %+v", after)
	}
}

func TestAdminRevokesWithAReasonAndRestores(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := adminClient(t, app)
	cc := app.certificateCourse(courses.IssueAuto, "Ana Gómez")
	ct := cc.issued(t, app, 0)
	page := fmt.Sprintf("/admin/certificates/%d", ct.ID)

	r := c.get("/admin/certificates?q=GÓMEZ")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `href="`+page+`"`) || !strings.Contains(r.Body, courses.FormatCode(ct.Facts.Code)) {
		t.Fatalf("register: %d\n%s", r.Status, r.Body)
	}
	r = c.get(page)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Válido") || !strings.Contains(r.Body, `href="/verify/`+ct.Facts.Code+`"`) ||
		!strings.Contains(r.Body, ct.KeyID) || !strings.Contains(r.Body, "Aula, al completar el curso") {
		t.Fatalf("detail: %d\n%s", r.Status, r.Body)
	}

	// Without a reason nothing changes, and the field says why, keeping what was typed.
	r = c.post(page+"/revoke", url.Values{"reason": {"   "}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="revoke-reason-error"`) ||
		!strings.Contains(r.Body, "Escriba el motivo") {
		t.Fatalf("revoke without a reason: %d\n%s", r.Status, r.Body)
	}
	if after, _ := app.Store.Certificate(context.Background(), ct.ID); !after.RevokedAt.IsZero() {
		t.Fatal("revoked without a reason")
	}
	if h, _ := app.Store.CertificateHistory(context.Background(), ct.ID); len(h) != 1 {
		t.Fatalf("history after a refused revocation: %+v", h)
	}

	r = c.post(page+"/revoke", url.Values{"reason": {"Datos de identidad incorrectos"}})
	if r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("revoke: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	r = c.get(page)
	if !strings.Contains(r.Body, "Se revocó el certificado") || !strings.Contains(r.Body, "Revocado") ||
		!strings.Contains(r.Body, "Datos de identidad incorrectos") || !strings.Contains(r.Body, "Test admin@example.org") {
		t.Fatalf("after revoking:\n%s", r.Body)
	}
	// A second tab's revocation says what happened.
	if r := c.post(page+"/revoke", url.Values{"reason": {"otra vez"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke twice: %d", r.Status)
	}
	if r := c.get(page); !strings.Contains(r.Body, "ya estaba revocado") {
		t.Fatalf("revoke twice says nothing:\n%s", r.Body)
	}
	if r := c.get("/admin/certificates?status=revoked"); !strings.Contains(r.Body, `href="`+page+`"`) {
		t.Fatal("the revoked filter does not list it")
	}
	if r := c.get("/admin/certificates?status=valid"); strings.Contains(r.Body, `href="`+page+`"`) {
		t.Fatal("the valid filter lists a revoked certificate")
	}

	if r := c.post(page+"/unrevoke", url.Values{"reason": {"Revocado por error"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("unrevoke: %d\n%s", r.Status, r.Body)
	}
	after, _ := app.Store.Certificate(context.Background(), ct.ID)
	if !after.RevokedAt.IsZero() || after.Status(app.Store.PublicKey(after.KeyID), time.Now()) != courses.CertificateValid {
		t.Fatalf("after unrevoking: %+v", after)
	}
	if h, _ := app.Store.CertificateHistory(context.Background(), ct.ID); len(h) != 3 || h[2].Reason != "Revocado por error" {
		t.Fatalf("history: %+v", h)
	}
	if r := c.post(page+"/unrevoke", url.Values{"reason": {"otra vez"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("unrevoke twice: %d", r.Status)
	}
	if r := c.get(page); !strings.Contains(r.Body, "no está revocado") {
		t.Fatal("unrevoke twice says nothing")
	}
}

func TestAdminReissuesACertificate(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := adminClient(t, app)
	cc := app.certificateCourse(courses.IssueAuto, "Ana Gomez")
	old := cc.issued(t, app, 0)
	ctx := context.Background()
	p := courses.Profile{FullName: "Ana Gómez", Email: cc.Trainees[0].Email, Country: "CR", Institution: "Policía", Sector: "police", Language: "es"}
	if err := app.Store.UpdateProfile(ctx, cc.Trainees[0].ID, p); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/admin/certificates/%d", old.ID)
	r := c.post(page+"/reissue", url.Values{"reason": {"Nombre corregido"}})
	next := cc.issued(t, app, 0)
	if r.Status != http.StatusSeeOther || next.ID == old.ID || r.Location != fmt.Sprintf("/admin/certificates/%d", next.ID) || next.Facts.Holder != "Ana Gómez" {
		t.Fatalf("reissue: %d %s, new %+v", r.Status, r.Location, next)
	}
	r = c.get(page)
	if !strings.Contains(r.Body, "Reemplazado por") || !strings.Contains(r.Body, fmt.Sprintf(`href="/admin/certificates/%d"`, next.ID)) ||
		strings.Contains(r.Body, page+"/revoke") {
		t.Fatalf("the old one:\n%s", r.Body)
	}
	// The old one can no longer change.
	if r := c.post(page+"/reissue", url.Values{"reason": {"otra vez"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reissue the old one: %d", r.Status)
	}
	if r := c.get(page); !strings.Contains(r.Body, "ya fue reemplazado") {
		t.Fatal("reissuing a replaced certificate says nothing")
	}
}

func TestAdminIssuesOneCertificate(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := adminClient(t, app)
	cc := app.certificateCourse(courses.IssueManual, "Ana Gómez")
	email := cc.Trainees[0].Email
	for _, tc := range []struct {
		form  url.Values
		field string
		want  string
	}{
		{url.Values{"email": {"nadie@example.org"}, "issue_course": {fmt.Sprint(cc.ID)}}, "email", "No hay ninguna cuenta"},
		{url.Values{"email": {email}, "issue_course": {"999999"}}, "issue_course", "Elija el curso"},
		{url.Values{"email": {"admin@example.org"}, "issue_course": {fmt.Sprint(cc.ID)}}, "email", "no ha completado"},
	} {
		r := c.post("/admin/certificates", tc.form)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="`+tc.field+`-error"`) || !strings.Contains(r.Body, tc.want) {
			t.Errorf("%v: %d\n%s", tc.form, r.Status, r.Body)
		}
	}
	r := c.post("/admin/certificates", url.Values{"email": {email}, "issue_course": {fmt.Sprint(cc.ID)}})
	ct := cc.issued(t, app, 0)
	if r.Status != http.StatusSeeOther || r.Location != fmt.Sprintf("/admin/certificates/%d", ct.ID) {
		t.Fatalf("issue: %d %s", r.Status, r.Location)
	}
	if r := c.get(r.Location); !strings.Contains(r.Body, "Se emitió el certificado") {
		t.Fatal("no word of the issue")
	}
	// Twice is the same certificate.
	if r := c.post("/admin/certificates", url.Values{"email": {email}, "issue_course": {fmt.Sprint(cc.ID)}}); r.Location != fmt.Sprintf("/admin/certificates/%d", ct.ID) {
		t.Fatalf("issue twice: %s", r.Location)
	}
	if r := c.get(fmt.Sprintf("/admin/certificates/%d", ct.ID)); !strings.Contains(r.Body, "ya tenía su certificado") {
		t.Fatal("issuing twice does not say it was there")
	}
	if list, _ := app.Store.HolderCertificates(context.Background(), cc.Trainees[0].ID); len(list) != 1 {
		t.Fatalf("%d certificates", len(list))
	}
	none := app.certificateCourse(courses.IssueNone, "Bea Ruiz")
	r = c.post("/admin/certificates", url.Values{"email": {none.Trainees[0].Email}, "issue_course": {fmt.Sprint(none.ID)}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "no da certificado") {
		t.Fatalf("a course without certificates: %d", r.Status)
	}
}

func TestTheRegisterExportsCSVSafeFromFormulas(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := adminClient(t, app)
	cc := app.certificateCourse(courses.IssueAuto, "=HYPERLINK(\"http://evil.example\")", "Ana Gómez")
	r := c.get(fmt.Sprintf("/admin/certificates.csv?course=%d", cc.ID))
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(r.Body, "\uFEFF") {
		t.Fatalf("csv: %d %q", r.Status, r.Body[:min(len(r.Body), 40)])
	}
	if !strings.Contains(r.Body, `"'=HYPERLINK(""http://evil.example"")"`) || strings.Contains(r.Body, "\n=HYPERLINK") || !strings.Contains(r.Body, "Ana Gómez") {
		t.Fatalf("csv body:\n%s", r.Body)
	}
	if n := strings.Count(r.Body, "\r\n"); n != 3 {
		t.Fatalf("%d lines, want a header and two certificates:\n%s", n, r.Body)
	}
	if r := c.get("/admin/certificates.csv?q=G%C3%B3mez"); strings.Count(r.Body, "\r\n") != 2 {
		t.Fatalf("the search does not filter the export:\n%s", r.Body)
	}
	if r := c.get("/admin/certificates?from=31-03-2026"); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="from-error"`) {
		t.Fatalf("a date that is not one: %d", r.Status)
	}
	today := app.Clock.Now().UTC().Format(time.DateOnly)
	if r := c.get("/admin/certificates?from=" + today + "&to=" + today); !strings.Contains(r.Body, "Ana Gómez") {
		t.Fatal("issued today is not within today")
	}
	if r := c.get("/admin/certificates?to=2000-01-01"); strings.Contains(r.Body, "Ana Gómez") {
		t.Fatal("the date filter does not filter")
	}
}

func TestBulkIssuePageRefreshesUntilDone(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, _ := adminClient(t, app)
	cc := app.certificateCourse(courses.IssueManual, "Ana Gómez", "Bea Ruiz", "Carla Díaz")
	co, err := app.Store.Course(context.Background(), cc.ID)
	if err != nil {
		t.Fatal(err)
	}
	cohortPage := fmt.Sprintf("/teach/courses/%d/cohorts/%d", cc.ID, cc.CohortID)
	start := fmt.Sprintf("/admin/cohorts/%d/certificates", cc.CohortID)
	if r := c.get(cohortPage); r.Status != http.StatusOK || !strings.Contains(r.Body, `action="`+start+`"`) {
		t.Fatalf("the cohort page has no button: %d %v", r.Status, co.Slug)
	}
	r := c.post(start, nil)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/certificate-batches/") {
		t.Fatalf("start: %d %s", r.Status, r.Location)
	}
	batch := r.Location
	// A second request while it waits goes to the same batch.
	if again := c.post(start, nil); again.Location != batch {
		t.Fatalf("second request: %s, want %s", again.Location, batch)
	}
	r = c.get(batch)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `<meta http-equiv="refresh" content="2">`) || !strings.Contains(r.Body, "ya se están emitiendo") {
		t.Fatalf("queued page:\n%s", r.Body)
	}
	if r := c.get(batch + "?refresh=off"); strings.Contains(r.Body, `http-equiv="refresh"`) {
		t.Fatal("stop refreshing does not stop it")
	}
	if r := c.get(batch + "/progress"); !strings.Contains(r.Body, `"working":true`) {
		t.Fatalf("progress: %s", r.Body)
	}

	jobs, err := app.Store.StartJobs(context.Background(), store.JobsConfig{PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer jobs.Stop(context.Background())
	deadline := time.Now().Add(20 * time.Second)
	for {
		r = c.get(batch)
		if !strings.Contains(r.Body, `http-equiv="refresh"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not done:\n%s", r.Body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	register := fmt.Sprintf(`href="/admin/certificates?cohort=%d&amp;course=%d"`, cc.CohortID, cc.ID)
	if !strings.Contains(r.Body, "Terminado") || !strings.Contains(r.Body, "Emitidos: 3 de 3") || !strings.Contains(r.Body, register) {
		t.Fatalf("done page:\n%s", r.Body)
	}
	if r := c.get(fmt.Sprintf("/admin/certificates?course=%d&cohort=%d", cc.ID, cc.CohortID)); strings.Count(r.Body, `href="/admin/certificates/`) != 3 {
		t.Fatalf("the cohort's register:\n%s", r.Body)
	}
	for i := range cc.Trainees {
		cc.issued(t, app, i)
	}
}

func TestACohortsRenewalNeedsAReasonAndReissuesWhatExpiresSoon(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	c, admin := adminClient(t, app)
	cc := app.certificateCourse(courses.IssueManual, "Ana Gómez", "Bea Ruiz")
	ctx := context.Background()
	for _, u := range cc.Trainees { // issued 23 months ago, valid 24: within the renewal window
		if _, _, err := app.Store.IssueCertificate(ctx, courses.Actor{UserID: admin.ID}, u.ID, cc.ID, time.Now().AddDate(0, -23, 0)); err != nil {
			t.Fatal(err)
		}
	}
	renew := fmt.Sprintf("/admin/cohorts/%d/renewals", cc.CohortID)
	cohortPage := fmt.Sprintf("/teach/courses/%d/cohorts/%d", cc.ID, cc.CohortID)
	if r := c.get(cohortPage); !strings.Contains(r.Body, `action="`+renew+`"`) {
		t.Fatal("the cohort page offers no renewal")
	}
	r := c.post(renew, url.Values{"reason": {"  "}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, cohortPage) {
		t.Fatalf("renewal without a reason: %d %s", r.Status, r.Location)
	}
	if page := c.get(cohortPage); !strings.Contains(page.Body, "Escriba el motivo de la renovación") {
		t.Fatal("the cohort page does not say the reason is missing")
	}
	start := time.Now().UTC()
	r = c.post(renew, url.Values{"reason": {"Renovación anual del grupo"}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/certificate-batches/") {
		t.Fatalf("renewal: %d %s", r.Status, r.Location)
	}
	if page := c.get(r.Location); !strings.Contains(page.Body, "Renovación de certificados del grupo") {
		t.Fatalf("batch page:\n%s", page.Body)
	}
	jobs, err := app.Store.StartJobs(ctx, store.JobsConfig{PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer jobs.Stop(ctx)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ct := cc.issued(t, app, 0)
		if ct.Facts.ExpiresOn >= courses.ExpiresOn(start, 24) { // renewed from the day it ran
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not renewed: %+v", ct)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
