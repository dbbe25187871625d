package store

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// LargeSchool is the size of a generated school: how many trainees, enrolments and
// certificates, and the seed that, with the clock, decides everything else.
type LargeSchool struct {
	Users, Enrolments, Certificates int
	Seed                            int64
}

// DefaultLargeSchool is the school the issue's performance targets are measured on.
var DefaultLargeSchool = LargeSchool{Users: 100000, Enrolments: 300000, Certificates: 50000, Seed: 1}

// DemoHistory is the demo school's past: a few hundred trainees over two years.
var DemoHistory = LargeSchool{Users: 360, Enrolments: 950, Certificates: 240, Seed: 2026}

// LargeSchoolPassword is every generated trainee's password: one Argon2id hash is computed
// and shared by all of them, which hashing 100,000 passwords one by one would take minutes.
const LargeSchoolPassword = "aula-generated-trainee"

// ErrSchoolGenerated is a database that already holds the generated school asked for.
var ErrSchoolGenerated = fmt.Errorf("the database already holds this generated school: %w", courses.ErrConflict)

// GenerateLargeSchool fills the database with a school of spec's size, its trainees created
// over the 30 months before now: trainee000001@large.aula.example and on. The database must be
// migrated, have the signing keys loaded (UseSigningKeys) and the bundled curriculum imported
// and published (`aula demo` does both): trainees enrol in the published courses. A database
// that has it already gets ErrSchoolGenerated.
func (s *Store) GenerateLargeSchool(ctx context.Context, spec LargeSchool, now time.Time) error {
	return s.generateSchool(ctx, "large.aula.example", 30, spec, now)
}

// GenerateDemoHistory is GenerateLargeSchool for the demo school's history: trainees at
// history.aula.example, created over the 24 months before now.
func (s *Store) GenerateDemoHistory(ctx context.Context, spec LargeSchool, now time.Time) error {
	return s.generateSchool(ctx, "history.aula.example", 24, spec, now)
}

// genCourse is a published course as the generator needs it.
type genCourse struct {
	ID          int64          `db:"id"`
	Slug        string         `db:"slug"`
	Audiences   pq.StringArray `db:"audiences"`
	Hours       int            `db:"hours"`
	DefaultLang string         `db:"default_language"`
	Issue       string         `db:"certificate_issue"`
	Months      int            `db:"certificate_months"`
	Signatories []byte         `db:"signatories"`
	OwnerID     int64          `db:"owner_id"`
	MinAttend   int            `db:"min_attendance"`
	titles      map[string]string
	signatories []courses.Signatory
	lessons     []int64
	quizzes     []genQuiz   // the required ones, in the course's order
	cohorts     []genCohort // [0] is the default one
}

// genQuiz is a required quiz as the generator needs it: after is how many of the course's
// lessons come before it, max what its questions are worth.
type genQuiz struct {
	id       int64
	after    int
	max      float64
	settings courses.QuizSettings
}

type genCohort struct {
	id        int64
	name      string
	isDefault bool
	start     time.Time
	ends      time.Time // the last day one may enrol; zero: always open
	blended   bool
	country   string
	sessions  []genSession
}

type genSession struct {
	id int64
	at time.Time
}

type genUser struct {
	id                                                      int64
	email, name, country, institution, sector, gender, lang string
	created                                                 time.Time
	active                                                  bool
}

type genEnrolment struct {
	id, userID        int64
	course            *genCourse
	cohort            *genCohort
	status            string
	lang              string // the trainee's language, if the course has it, else the course's
	created           time.Time
	completed         time.Time // zero: not completed
	lastLesson        int64
	lastActivity      time.Time
	lessonsDone       []genLesson
	attendanceSession []genAttendance
	attempts          []genAttempt
}

type genAttempt struct {
	quiz              *genQuiz
	number            int
	started, finished time.Time
	score             float64
	passed            bool
}

type genLesson struct {
	id int64
	at time.Time
}

type genAttendance struct {
	session genSession
	status  string
}

type genCertificate struct {
	enrolment *genEnrolment
	cert      courses.Certificate
	revokedAt time.Time
	reason    string
}

// generateSchool makes spec's school with emails at domain, over months before now, in one
// transaction: everything or nothing. Rows go in by COPY, certificates are signed here as
// issueTx signs them, and the issuance log is extended as appendLog extends it.
func (s *Store) generateSchool(ctx context.Context, domain string, months int, spec LargeSchool, now time.Time) error {
	if spec.Users <= 0 || spec.Enrolments < 0 || spec.Certificates < 0 || spec.Certificates > spec.Enrolments {
		return fmt.Errorf("store: generate school: %+v: %w", spec, courses.ErrInvalid)
	}
	sg, err := s.signing()
	if err != nil {
		return err
	}
	generated := func(q sqlx.QueryerContext) error {
		var exists bool
		if err := sqlx.GetContext(ctx, q, &exists, `SELECT EXISTS (SELECT 1 FROM users WHERE email LIKE '%@' || $1)`, domain); err != nil {
			return err
		}
		if exists {
			return ErrSchoolGenerated
		}
		return nil
	}
	// Looked for before the password is hashed (a second or so of Argon2id for nothing), and
	// again in the transaction, where it counts.
	if err := generated(s.db); err != nil {
		return fmt.Errorf("store: generate school: %w", err)
	}
	hash, err := HashPassword(LargeSchoolPassword)
	if err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Second)
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if err := generated(tx); err != nil {
			return err
		}
		list, err := genCourses(ctx, tx)
		if err != nil {
			return err
		}
		if spec.Enrolments > spec.Users*len(list) {
			return fmt.Errorf("%d enrolments need more than %d users in %d courses: %w", spec.Enrolments, spec.Users, len(list), courses.ErrInvalid)
		}
		r := rand.New(rand.NewPCG(uint64(spec.Seed), 0x61756c61))
		start := now.AddDate(0, -months, 0)
		if err := genCohorts(ctx, tx, r, list, start, now); err != nil {
			return err
		}
		users, err := genUsers(ctx, tx, r, domain, spec.Users, start, now)
		if err != nil {
			return err
		}
		enrolments, err := genEnrolments(ctx, tx, r, users, list, spec, now)
		if err != nil {
			return err
		}
		var adminID int64
		if err := tx.GetContext(ctx, &adminID, `SELECT coalesce(min(id), 0) FROM users WHERE role = 'admin'`); err != nil {
			return err
		}
		certs, err := genCertificates(ctx, tx, r, sg, users, enrolments, adminID, now)
		if err != nil {
			return err
		}
		if err := writeSchool(ctx, tx, hash, users, enrolments, certs, now); err != nil {
			return err
		}
		return s.genLog(ctx, tx, sg, certs, adminID)
	})
	if err != nil {
		return fmt.Errorf("store: generate school: %w", err)
	}
	// The planner's statistics, so the reports' first queries on the new rows plan well.
	if _, err := s.db.ExecContext(ctx, `ANALYZE users, enrolments, lesson_completions, attendance, quiz_attempts, certificates, certificate_log`); err != nil {
		return fmt.Errorf("store: generate school: analyze: %w", err)
	}
	return nil
}

// genCourses reads the published courses that give certificates, with their titles and
// lessons in order.
func genCourses(ctx context.Context, tx *sqlx.Tx) ([]*genCourse, error) {
	var list []*genCourse
	if err := tx.SelectContext(ctx, &list, `SELECT id, slug, audiences, hours, default_language, certificate_issue, certificate_months,
		signatories, owner_id, min_attendance FROM courses WHERE status = 'published' AND certificate_issue <> 'none' ORDER BY id`); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no published course to enrol in: load the bundled curriculum first (aula demo): %w", courses.ErrConflict)
	}
	byID := map[int64]*genCourse{}
	for _, c := range list {
		byID[c.ID], c.titles = c, map[string]string{}
		if err := json.Unmarshal(c.Signatories, &c.signatories); err != nil {
			return nil, fmt.Errorf("signatories of %s: %w", c.Slug, err)
		}
	}
	var texts []struct {
		CourseID int64  `db:"course_id"`
		Language string `db:"language"`
		Title    string `db:"title"`
	}
	if err := tx.SelectContext(ctx, &texts, `SELECT course_id, language, title FROM course_texts`); err != nil {
		return nil, err
	}
	for _, t := range texts {
		if c := byID[t.CourseID]; c != nil {
			c.titles[t.Language] = t.Title
		}
	}
	var lessons []struct {
		CourseID int64 `db:"course_id"`
		ID       int64 `db:"id"`
	}
	if err := tx.SelectContext(ctx, &lessons, `SELECT m.course_id, l.id FROM lessons l JOIN modules m ON m.id = l.module_id
		ORDER BY m.course_id, m.position, l.position`); err != nil {
		return nil, err
	}
	for _, l := range lessons {
		if c := byID[l.CourseID]; c != nil {
			c.lessons = append(c.lessons, l.ID)
		}
	}
	var defaults []struct {
		CourseID int64 `db:"course_id"`
		ID       int64 `db:"id"`
	}
	if err := tx.SelectContext(ctx, &defaults, `SELECT course_id, id FROM cohorts WHERE is_default`); err != nil {
		return nil, err
	}
	for _, d := range defaults {
		if c := byID[d.CourseID]; c != nil {
			c.cohorts = append(c.cohorts, genCohort{id: d.ID, name: "default", isDefault: true})
		}
	}
	// The required quizzes, with the lessons before each (those of the modules before its
	// own, and its position's first of its own module, as courses.Quiz.Position counts them)
	// and what their questions are worth (a category's drawn questions at a point each).
	var quizzes []struct {
		CourseID int64   `db:"course_id"`
		ID       int64   `db:"id"`
		After    int     `db:"after"`
		Max      float64 `db:"max_score"`
		Settings []byte  `db:"settings"`
	}
	if err := tx.SelectContext(ctx, &quizzes, `SELECT m.course_id, z.id, z.settings,
			(SELECT count(*) FROM lessons l JOIN modules lm ON lm.id = l.module_id WHERE lm.course_id = m.course_id AND lm.position < m.position)
				+ least(z.position, (SELECT count(*) FROM lessons l WHERE l.module_id = m.id)) AS after,
			(SELECT coalesce(sum(CASE WHEN i.question_id IS NULL THEN i.count ELSE coalesce((v.body->>'points')::double precision, 0) END), 0)
				FROM quiz_items i LEFT JOIN questions q ON q.id = i.question_id LEFT JOIN question_versions v ON v.question_id = q.id AND v.version = q.version
				WHERE i.quiz_id = z.id) AS max_score
		FROM quizzes z JOIN modules m ON m.id = z.module_id WHERE (z.settings->>'required')::boolean
		ORDER BY m.course_id, m.position, z.position, z.id`); err != nil {
		return nil, err
	}
	for _, q := range quizzes {
		c := byID[q.CourseID]
		if c == nil {
			continue
		}
		gq := genQuiz{id: q.ID, after: q.After, max: q.Max}
		if err := json.Unmarshal(q.Settings, &gq.settings); err != nil {
			return nil, fmt.Errorf("quiz %d of %s: %w", q.ID, c.Slug, err)
		}
		c.quizzes = append(c.quizzes, gq)
	}
	for _, c := range list {
		if len(c.cohorts) == 0 || len(c.lessons) == 0 {
			return nil, fmt.Errorf("course %s has no default cohort or no lesson", c.Slug)
		}
	}
	return list, nil
}

// genCohorts gives each course, for every half-year from start, an online cohort open to all
// and two blended ones, by approval, each in one country (in turn), with three sessions.
func genCohorts(ctx context.Context, tx *sqlx.Tx, r *rand.Rand, list []*genCourse, start, now time.Time) error {
	turn := 0
	for _, c := range list {
		for y, h := start.Year(), (int(start.Month())-1)/6; ; h++ {
			if h == 2 {
				y, h = y+1, 0
			}
			half := time.Date(y, time.Month(1+6*h), 1, 0, 0, 0, 0, time.UTC)
			if half.After(now) {
				break
			}
			term := fmt.Sprintf("%d-%s", y, []string{"I", "II"}[h])
			opens := half.AddDate(0, 0, 7+r.IntN(21))
			for kind := range 3 { // an online cohort, and blended ones in two countries
				blended := kind > 0
				country := largeCountries[turn%8]
				if blended {
					turn++
				}
				ch := genCohort{name: "Cohorte regional " + term, start: opens, blended: blended}
				mode, policy, place := "online", "open", ""
				if blended {
					city := pick(r, country.cities)
					ch.name, ch.country = country.name+" "+term+", semipresencial", country.code
					mode, policy, place = "blended", "approval", city
				}
				ends := opens.AddDate(0, 4, 0)
				ch.ends = ends
				if err := tx.GetContext(ctx, &ch.id, `INSERT INTO cohorts (course_id, name, starts_on, ends_on, capacity, mode, location, policy, created_at)
					VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8) RETURNING id`, c.ID, ch.name, opens.Format(time.DateOnly),
					ends.Format(time.DateOnly), mode, place, policy, opens.AddDate(0, 0, -30)); err != nil {
					return err
				}
				if blended {
					for i := range 3 {
						at := opens.AddDate(0, 0, 7+28*i).Add(15 * time.Hour)
						s := genSession{at: at}
						if err := tx.GetContext(ctx, &s.id, `INSERT INTO cohort_sessions (cohort_id, starts_at, minutes, place) VALUES ($1, $2, 240, $3)
							RETURNING id`, ch.id, at, "Sala de capacitación, "+place); err != nil {
							return err
						}
						ch.sessions = append(ch.sessions, s)
					}
				}
				c.cohorts = append(c.cohorts, ch)
			}
		}
	}
	return nil
}

// genUsers draws n trainees, created between start and now (more of them lately: the
// programme grows), numbered in the order they joined.
func genUsers(ctx context.Context, tx *sqlx.Tx, r *rand.Rand, domain string, n int, start, now time.Time) ([]genUser, error) {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval('users_id_seq') FROM generate_series(1, $1)`, n); err != nil {
		return nil, err
	}
	span := now.Sub(start)
	created := make([]time.Time, n)
	for i := range created {
		created[i] = start.Add(time.Duration(math.Sqrt(r.Float64()) * float64(span))).Truncate(time.Second)
	}
	slices.SortFunc(created, func(a, b time.Time) int { return a.Compare(b) })
	users := make([]genUser, n)
	for i := range users {
		c := pickCountry(r)
		lang := c.lang
		if r.IntN(20) == 0 { // some prefer another of the school's languages
			lang = pick(r, []string{"es", "en", "pt"})
		}
		sector, gender := pickWeighted(r, largeSectors), ""
		gender = pickWeighted(r, largeGenders[sector])
		users[i] = genUser{id: ids[i], email: fmt.Sprintf("trainee%06d@%s", i+1, domain), name: largeName(r, c.lang, gender),
			country: c.code, institution: largeInstitution(r, c, sector), sector: sector, gender: gender, lang: lang,
			created: created[i], active: r.IntN(50) != 0}
	}
	return users, nil
}

// genEnrolments spreads spec.Enrolments over the users (a few courses each, chosen by their
// sector's audiences), gives them cohorts, statuses and progress, and has spec.Certificates
// of them complete: the older an enrolment, the likelier.
func genEnrolments(ctx context.Context, tx *sqlx.Tx, r *rand.Rand, users []genUser, list []*genCourse, spec LargeSchool, now time.Time) ([]*genEnrolment, error) {
	counts := make([]int, len(users))
	mean := float64(spec.Enrolments) / float64(len(users))
	total := 0
	for i := range counts {
		counts[i] = min(len(list), int(r.ExpFloat64()*mean+0.5))
		total += counts[i]
	}
	for total != spec.Enrolments {
		i := r.IntN(len(users))
		if total > spec.Enrolments && counts[i] > 0 {
			counts[i]--
			total--
		} else if total < spec.Enrolments && counts[i] < len(list) {
			counts[i]++
			total++
		}
	}
	var enrolments []*genEnrolment
	weights := make([]float64, len(list))
	for i, u := range users {
		for j, c := range list {
			weights[j] = 1
			if slices.Contains(c.Audiences, u.sector) {
				weights[j] = 4
			}
		}
		for _, j := range pickCourses(r, weights, counts[i]) {
			enrolments = append(enrolments, genEnrol(r, u, list[j], now))
		}
	}
	slices.SortStableFunc(enrolments, func(a, b *genEnrolment) int { return a.created.Compare(b.created) })
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval('enrolments_id_seq') FROM generate_series(1, $1)`, len(enrolments)); err != nil {
		return nil, err
	}
	// Who completes: a weighted draw without replacement (Efraimidis–Spirakis) among active
	// enrolments that could have by now, weighted by age up to half a year.
	type candidate struct {
		e      *genEnrolment
		key    float64
		lo, hi time.Time
	}
	var candidates []candidate
	for i, e := range enrolments {
		e.id = ids[i]
		if lo, hi, ok := completable(e, now); ok {
			w := min(now.Sub(e.created).Hours()/24, 180)
			candidates = append(candidates, candidate{e, math.Log(1-r.Float64()) / w, lo, hi})
		}
	}
	if len(candidates) < spec.Certificates {
		return nil, fmt.Errorf("only %d enrolments could have completed, not %d: %w", len(candidates), spec.Certificates, courses.ErrInvalid)
	}
	slices.SortStableFunc(candidates, func(a, b candidate) int { return cmp.Compare(b.key, a.key) })
	for _, c := range candidates[:spec.Certificates] {
		c.e.completed = c.lo.Add(time.Duration(r.Float64() * float64(c.hi.Sub(c.lo)))).Truncate(time.Second)
	}
	for _, e := range enrolments {
		genProgress(r, e, now)
		genAttempts(r, e, now)
	}
	return enrolments, nil
}

// completable says when e could complete, if it can: an active enrolment, a week to five
// months after it began and a day before now; in a blended cohort, only after its last
// session (and its attendance recorded), and only when the sessions still to come when the
// trainee enrolled, all attended, meet the course's minimum: those before count as missed,
// as courses.Completion counts them.
func completable(e *genEnrolment, now time.Time) (lo, hi time.Time, ok bool) {
	if e.status != "active" {
		return lo, hi, false
	}
	lo, hi = e.created.Add(7*24*time.Hour), e.created.Add(157*24*time.Hour)
	hi = minTime(hi, now.Add(-24*time.Hour))
	if ch := e.cohort; ch.blended {
		if len(ch.sessions) == 0 {
			return lo, hi, false
		}
		p := courses.Progress{LessonsTotal: 1, LessonsDone: 1}
		for _, s := range ch.sessions {
			status := courses.AttendancePresent
			if s.at.Before(e.created) {
				status = ""
			}
			p.Sessions = append(p.Sessions, courses.SessionAttendance{StartsAt: s.at, Status: status})
		}
		last := ch.sessions[len(ch.sessions)-1].at
		if !courses.Completion(courses.ModeBlended, courses.CompletionRules{MinAttendance: e.course.MinAttend}, p, last.Add(time.Hour)) {
			return lo, hi, false
		}
		lo = maxTime(lo, last.Add(6*time.Hour))
	}
	return lo, hi, lo.Before(hi)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// attendanceRecorded is when an instructor records a session's attendance: four hours after
// it began, or now for one that has just begun.
func attendanceRecorded(s genSession, now time.Time) time.Time {
	return minTime(s.at.Add(4*time.Hour), now)
}

// pickCourses draws n distinct course indexes, each as likely as its weight.
func pickCourses(r *rand.Rand, weights []float64, n int) []int {
	taken := make([]bool, len(weights))
	var got []int
	for len(got) < n {
		total := 0.0
		for j, w := range weights {
			if !taken[j] {
				total += w
			}
		}
		x := r.Float64() * total
		for j, w := range weights {
			if taken[j] {
				continue
			}
			if x < w || j == len(weights)-1 {
				taken[j] = true
				got = append(got, j)
				break
			}
			x -= w
		}
	}
	return got
}

// genEnrol makes u's enrolment in c: when, in which cohort, with which status.
func genEnrol(r *rand.Rand, u genUser, c *genCourse, now time.Time) *genEnrolment {
	at := u.created.Add(time.Duration(r.ExpFloat64() * float64(45*24*time.Hour)))
	if at.After(now) {
		at = u.created.Add(time.Duration(r.Float64() * float64(now.Sub(u.created))))
	}
	e := &genEnrolment{userID: u.id, course: c, cohort: &c.cohorts[0], status: "active", lang: c.DefaultLang, created: at.Truncate(time.Second)}
	if _, ok := c.titles[u.lang]; ok {
		e.lang = u.lang
	}
	if r.IntN(10) >= 4 {
		// The cohort of the half-year the trainee enrolled in, if it still takes enrolments
		// (as Enrol: up to its last day; and a blended one only until its last session);
		// otherwise the course's open one.
		var term, blended *genCohort
		for i := range c.cohorts[1:] {
			ch := &c.cohorts[i+1]
			if ch.enrols(at) {
				if ch.blended && ch.country == u.country {
					blended = ch
				} else if !ch.blended {
					term = ch
				}
			}
		}
		switch {
		case blended != nil && r.IntN(10) < 8:
			e.cohort = blended
		case term != nil:
			e.cohort = term
		}
	}
	switch x := r.IntN(100); {
	case x < 11:
		e.status = "withdrawn"
	case e.cohort.blended && x < 20: // approval: a few requests are turned down
		e.status = "rejected"
	case e.cohort.blended && x < 30 && now.Sub(at) < 30*24*time.Hour:
		e.status = "pending"
	}
	return e
}

// enrols reports whether the cohort takes an enrolment at at: from three weeks before it
// starts (its announcement) to its last day, as Enrol allows (courses.Cohort.Open), and a
// blended one only while a session is still to come.
func (ch *genCohort) enrols(at time.Time) bool {
	if ch.isDefault {
		return true
	}
	if ch.start.After(at.AddDate(0, 0, 21)) || at.UTC().Truncate(24*time.Hour).After(ch.ends) {
		return false
	}
	return len(ch.sessions) == 0 || at.Before(ch.sessions[len(ch.sessions)-1].at)
}

// genProgress has e's trainee read lessons: all of them by its completion, some of them
// otherwise, and attend its cohort's past sessions.
func genProgress(r *rand.Rand, e *genEnrolment, now time.Time) {
	lessons := e.course.lessons
	end, n := e.completed.Add(-time.Hour), len(lessons) // the required quizzes in the hour before completion
	switch {
	case !e.completed.IsZero():
	case e.status == "active":
		n = r.IntN(len(lessons))
		end = e.created.Add(time.Duration((3 + r.Float64()*120) * float64(24*time.Hour)))
		if latest := now.Add(-time.Duration(r.Float64() * float64(20*24*time.Hour))); end.After(latest) {
			end = latest
		}
	case e.status == "withdrawn":
		n = r.IntN(min(3, len(lessons)) + 1)
		end = e.created.Add(time.Duration(r.Float64() * float64(20*24*time.Hour)))
	default:
		n = 0
	}
	if end.After(now) {
		end = now
	}
	if end.Before(e.created) {
		end = e.created
	}
	for i := range n {
		at := e.created.Add(time.Duration(float64(end.Sub(e.created)) * float64(i+1) / float64(n))).Truncate(time.Microsecond)
		e.lessonsDone = append(e.lessonsDone, genLesson{lessons[i], at})
	}
	if n > 0 {
		e.lastLesson, e.lastActivity = lessons[n-1], e.lessonsDone[n-1].at
	}
	if e.status != "active" {
		return
	}
	for _, s := range e.cohort.sessions {
		if s.at.After(now) || s.at.Before(e.created) || !e.completed.IsZero() && s.at.After(e.completed) {
			continue
		}
		status := "present"
		if e.completed.IsZero() {
			switch x := r.IntN(100); {
			case x < 18:
				status = "absent"
			case x < 25:
				status = "excused"
			}
		}
		e.attendanceSession = append(e.attendanceSession, genAttendance{s, status})
	}
}

// genAttempts has e's trainee sit the course's required quizzes after reading the lessons
// before each: a completer passes every one (a third of them after failing a first attempt,
// where the quiz allows a second), and the completion is recorded with the last of what the
// rules ask (a lesson, a passed quiz, an attendance recorded). Of the others still active,
// most try the quizzes they have reached, and some fail them.
func genAttempts(r *rand.Rand, e *genEnrolment, now time.Time) {
	completer := !e.completed.IsZero()
	if !completer && e.status != "active" {
		return
	}
	for i := range e.course.quizzes {
		q := &e.course.quizzes[i]
		if q.after > len(e.lessonsDone) || !completer && (q.after == 0 || r.IntN(5) == 0) {
			continue
		}
		at := e.created
		if q.after > 0 {
			at = e.lessonsDone[q.after-1].at
		}
		at = at.Add(5 * time.Minute).Truncate(time.Second)
		second := q.settings.Attempts == 0 || q.settings.Attempts >= 2
		var results []bool // passed, one an attempt
		switch x := r.IntN(3); {
		case completer && second && x == 0, !completer && second && x == 0 && r.IntN(2) == 0:
			results = []bool{false, true}
		case !completer && x == 0:
			results = []bool{false}
		default:
			results = []bool{true}
		}
		took := 10 * time.Minute
		if limit := q.settings.TimeLimit; limit > 0 && limit < 2*took {
			took = limit / 2
		}
		for n, passed := range results {
			a := genAttempt{quiz: q, number: n + 1, started: at, finished: at.Add(took), score: passScore(r, q, passed)}
			a.passed = courses.Passed(a.score, q.max, q.settings.PassMark)
			if a.finished.After(now) {
				break
			}
			e.attempts = append(e.attempts, a)
			at = a.finished.Add(15 * time.Minute)
		}
	}
	if !completer {
		return
	}
	last := e.lessonsDone[len(e.lessonsDone)-1].at
	for _, a := range e.attempts {
		if a.passed {
			last = maxTime(last, a.finished)
		}
	}
	for _, a := range e.attendanceSession {
		last = maxTime(last, attendanceRecorded(a.session, now))
	}
	if t := last.Truncate(time.Second); t.Before(last) {
		last = t.Add(time.Second)
	}
	e.completed = last
}

// passScore is a score at q that passes it, or one that does not: a point or two short of
// full marks, or under its pass mark.
func passScore(r *rand.Rand, q *genQuiz, passed bool) float64 {
	pass := func(score float64) bool { return courses.Passed(score, q.max, q.settings.PassMark) }
	if passed {
		if score := q.max - float64(r.IntN(3)); score >= 0 && pass(score) {
			return score
		}
		return q.max
	}
	score := math.Floor(q.max*float64(q.settings.PassMark)/100) - 1 - float64(r.IntN(2))
	for score > 0 && pass(score) {
		score--
	}
	return max(score, 0)
}

// genCertificates signs, as issueTx does on completion, the certificate of every completed
// enrolment, and revokes a few of them later.
func genCertificates(ctx context.Context, tx *sqlx.Tx, r *rand.Rand, sg *signer, users []genUser, enrolments []*genEnrolment, adminID int64, now time.Time) ([]genCertificate, error) {
	byID := make(map[int64]*genUser, len(users))
	for i := range users {
		byID[users[i].id] = &users[i]
	}
	var certs []genCertificate
	for _, e := range enrolments {
		if !e.completed.IsZero() {
			certs = append(certs, genCertificate{enrolment: e})
		}
	}
	slices.SortStableFunc(certs, func(a, b genCertificate) int { return a.enrolment.completed.Compare(b.enrolment.completed) })
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT nextval('certificates_id_seq') FROM generate_series(1, $1)`, len(certs)); err != nil {
		return nil, err
	}
	indexes, err := statusIndexes(ctx, tx, len(certs))
	if err != nil {
		return nil, err
	}
	for i := range certs {
		e := certs[i].enrolment
		u, c := byID[e.userID], e.course
		lang := c.DefaultLang
		if _, ok := c.titles[u.lang]; ok {
			lang = u.lang
		}
		title := c.titles[lang]
		if title == "" {
			title = c.Slug
		}
		cohort := e.cohort.name
		if e.cohort.isDefault {
			cohort = "" // as newCertificate: the open, self-paced cohort is not named
		}
		var raw [courses.CodeLength - 1]byte
		for j := range raw {
			raw[j] = byte(r.Uint32())
		}
		code, err := courses.NewCode(bytesReader(raw[:]))
		if err != nil {
			return nil, err
		}
		var id uuid.UUID
		for j := range id {
			id[j] = byte(r.Uint32())
		}
		id[6], id[8] = (id[6]&0x0f)|0x40, (id[8]&0x3f)|0x80 // a version 4 UUID
		issued := e.completed.UTC().Truncate(time.Second)
		certs[i].cert = courses.Certificate{ID: ids[i], KeyID: sg.current.ID, UserID: u.id, CourseID: c.ID, CohortID: e.cohort.id,
			Facts: courses.CertificateFacts{Code: code, Holder: u.name, Language: lang, School: sg.school, CourseSlug: c.Slug, Course: title,
				Cohort: cohort, Hours: c.Hours, CompletedOn: issued.Format(time.DateOnly), IssuedAt: issued,
				ExpiresOn: courses.ExpiresOn(issued, c.Months), Signatories: c.signatories, CredentialID: id.String(),
				StatusIndex: indexes[i], HolderEmail: u.email}}
		if c.Issue == string(courses.IssueManual) { // issued by an administrator, as IssueCertificate does
			if adminID == 0 {
				return nil, fmt.Errorf("course %s issues its certificates by hand, and there is no administrator: %w", c.Slug, courses.ErrConflict)
			}
			certs[i].cert.IssuedBy = adminID
		}
		if r.IntN(40) == 0 { // revoked later: one in forty
			at := issued.Add(time.Duration((5 + r.Float64()*85) * float64(24*time.Hour)))
			if at.Before(now) {
				certs[i].revokedAt, certs[i].reason = at.Truncate(time.Microsecond), pick(r, largeReasons)
			}
		}
	}
	// Ed25519 in a goroutine a core, up to four: about 50 µs a signature on one.
	var wg sync.WaitGroup
	workers := min(4, runtime.GOMAXPROCS(0))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(certs); i += workers {
				certs[i].cert.Signature = ed25519.Sign(sg.current.Private, certs[i].cert.Facts.Canonical())
			}
		})
	}
	wg.Wait()
	return certs, nil
}

type bytesReader []byte

func (b bytesReader) Read(p []byte) (int, error) {
	if len(p) > len(b) {
		return 0, errors.New("bytesReader: short")
	}
	return copy(p, b), nil
}

// writeSchool copies the generated rows in.
func writeSchool(ctx context.Context, tx *sqlx.Tx, hash string, users []genUser, enrolments []*genEnrolment, certs []genCertificate, now time.Time) error {
	if err := copyRows(ctx, tx, "users", []string{"id", "email", "full_name", "password_hash", "country", "institution", "sector",
		"gender", "language", "role", "active", "created_at", "updated_at"}, len(users), func(i int) []any {
		u := users[i]
		return []any{u.id, u.email, u.name, hash, u.country, u.institution, u.sector, u.gender, u.lang, "trainee", u.active, u.created, u.created}
	}); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "enrolments", []string{"id", "cohort_id", "course_id", "user_id", "status", "queued_at",
		"last_lesson_id", "last_activity_at", "completed_at", "created_at"}, len(enrolments), func(i int) []any {
		e := enrolments[i]
		return []any{e.id, e.cohort.id, e.course.ID, e.userID, e.status, e.created, nullID(e.lastLesson), nullTimeOf(e.lastActivity),
			nullTimeOf(e.completed), e.created}
	}); err != nil {
		return err
	}
	type flat struct {
		user, course int64
		genLesson
	}
	var lessons []flat
	type mark struct {
		user, owner int64
		genAttendance
	}
	var marks []mark
	type sitting struct {
		user int64
		lang string
		genAttempt
	}
	var attempts []sitting
	for _, e := range enrolments {
		for _, a := range e.attempts {
			attempts = append(attempts, sitting{e.userID, e.lang, a})
		}
		for _, l := range e.lessonsDone {
			lessons = append(lessons, flat{e.userID, e.course.ID, l})
		}
		for _, a := range e.attendanceSession {
			marks = append(marks, mark{e.userID, e.course.OwnerID, a})
		}
	}
	if err := copyRows(ctx, tx, "lesson_completions", []string{"user_id", "lesson_id", "course_id", "completed_at"}, len(lessons), func(i int) []any {
		return []any{lessons[i].user, lessons[i].id, lessons[i].course, lessons[i].at}
	}); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "attendance", []string{"session_id", "user_id", "status", "recorded_at", "recorded_by"}, len(marks), func(i int) []any {
		m := marks[i]
		return []any{m.session.id, m.user, m.status, attendanceRecorded(m.session, now), m.owner}
	}); err != nil {
		return err
	}
	// The attempts as the quiz results and the course's report read them (the counted attempt,
	// its score and whether it passed, as courses.CountingAttempt and the completion rule find
	// them), without their questions: writing every attempt's slots, a few million rows at
	// the full size, would double the generation's time. An instructor opening a generated
	// attempt sees its score and no questions, and the question statistics count only the
	// attempts made through the real path.
	var attemptIDs []int64
	if err := tx.SelectContext(ctx, &attemptIDs, `SELECT nextval('quiz_attempts_id_seq') FROM generate_series(1, $1)`, len(attempts)); err != nil {
		return err
	}
	if err := copyRows(ctx, tx, "quiz_attempts", []string{"id", "quiz_id", "user_id", "number", "language", "started_at", "deadline",
		"grace_ms", "navigation", "per_page", "finished_at", "score", "max_score", "pending", "passed"}, len(attempts), func(i int) []any {
		a, st := attempts[i], attempts[i].quiz.settings
		var deadline any
		if st.TimeLimit > 0 {
			deadline = a.started.Add(st.TimeLimit)
		}
		navigation := st.Navigation
		if navigation == "" {
			navigation = courses.NavigationFree
		}
		return []any{attemptIDs[i], a.quiz.id, a.user, a.number, a.lang, a.started, deadline, st.Grace.Milliseconds(), string(navigation),
			st.PerPage, a.finished, a.score, a.quiz.max, false, a.passed}
	}); err != nil {
		return err
	}
	return copyRows(ctx, tx, "certificates", []string{"id", "code", "credential_id", "status_index", "enrolment_id", "user_id", "course_id",
		"cohort_id", "holder_name", "holder_email", "language", "school", "course_slug", "course_title", "cohort_name", "hours",
		"completed_on", "issued_at", "expires_on", "signatories", "key_id", "signature", "issued_by", "revoked_at", "revoked_reason"}, len(certs), func(i int) []any {
		c, f := certs[i].cert, certs[i].cert.Facts
		signatories, _ := jsonMarshalList(f.Signatories) // plain strings: cannot fail
		var expires any
		if f.ExpiresOn != "" {
			expires = f.ExpiresOn
		}
		return []any{c.ID, f.Code, f.CredentialID, f.StatusIndex, certs[i].enrolment.id, c.UserID, c.CourseID, c.CohortID, f.Holder,
			f.HolderEmail, f.Language, f.School, f.CourseSlug, f.Course, f.Cohort, f.Hours, f.CompletedOn, f.IssuedAt, expires,
			string(signatories), c.KeyID, c.Signature, nullID(c.IssuedBy), nullTimeOf(certs[i].revokedAt), certs[i].reason}
	})
}

// genLog appends the certificates' issues and revocations to the issuance log in the order
// they happened, chained to its last entry as appendLog chains them, under the same lock.
func (s *Store) genLog(ctx context.Context, tx *sqlx.Tx, sg *signer, certs []genCertificate, adminID int64) error {
	type event struct {
		entry courses.LogEntry
		cert  int64
	}
	var events []event
	for _, c := range certs {
		events = append(events, event{issueEntry(courses.ActionIssue, c.cert, c.cert.IssuedBy, "", c.cert.Facts.IssuedAt), c.cert.ID})
		if !c.revokedAt.IsZero() {
			events = append(events, event{courses.LogEntry{Action: courses.ActionRevoke, Code: c.cert.Facts.Code, ActorID: adminID,
				Reason: c.reason, At: c.revokedAt}, c.cert.ID})
		}
	}
	slices.SortStableFunc(events, func(a, b event) int { return a.entry.At.Compare(b.entry.At) })
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(727276)`); err != nil {
		return err
	}
	var last struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	err := tx.GetContext(ctx, &last, `SELECT seq, hash FROM certificate_log ORDER BY seq DESC LIMIT 1`)
	if notFound(err) {
		last.Hash = courses.GenesisHash
	} else if err != nil {
		return err
	}
	for i := range events {
		e := &events[i].entry
		e.Seq, e.Prev = last.Seq+int64(i)+1, last.Hash
		e.At = e.At.UTC().Truncate(time.Microsecond)
		e.Hash = e.ComputeHash()
		last.Hash = e.Hash
	}
	return copyRows(ctx, tx, "certificate_log", []string{"seq", "certificate_id", "action", "code", "actor_id", "reason", "at", "digest",
		"key_id", "signature", "prev_hash", "hash", "mac"}, len(events), func(i int) []any {
		e := events[i].entry
		return []any{e.Seq, events[i].cert, string(e.Action), e.Code, nullID(e.ActorID), e.Reason, e.At, orEmpty(e.Digest), e.KeyID,
			orEmpty(e.Signature), e.Prev, e.Hash, sg.logMAC(e.Hash)}
	})
}

// copyRows sends n rows to table by COPY.
func copyRows(ctx context.Context, tx *sqlx.Tx, table string, columns []string, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, pq.CopyIn(table, columns...))
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	for i := range n {
		if _, err := st.ExecContext(ctx, row(i)...); err != nil {
			st.Close()
			return fmt.Errorf("copy %s: %w", table, err)
		}
	}
	if _, err := st.ExecContext(ctx); err != nil {
		st.Close()
		return fmt.Errorf("copy %s: %w", table, err)
	}
	return st.Close()
}

func nullTimeOf(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
