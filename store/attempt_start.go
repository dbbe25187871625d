package store

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aula-school/aula/courses"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The start of an attempt, in two prepared statements (issue 12: an exam's trainees all start
// within seconds). The first reads everything the start decides on, one snapshot: the
// enrolment, the quiz, the attempt in progress, the attempts used and granted, and the bank's
// questions the quiz draws from (ids and current versions, without their bodies: an instance
// keeps the versions it has read, decoded, in versionCache). The second writes the attempt
// and its slots together, unless the trainee is no longer enrolled or another start got
// there first: the attempt's number and "one attempt in progress" are unique keys, so of two
// starts that read the same count only one writes, and the other goes the locked way
// (startAttemptLocked), which then finds the attempt in progress. The attempts limit so holds
// without a lock in the common case. The attempt so written is kept for the page the start
// redirects to (AttemptAsSaved), which then reads nothing.

// startReadQuery is the start's read: $1 user, $2 course (its id, or its slug: see
// startReadBySlugQuery), $3 quiz, $4 the language the trainee reads the course in, the
// attempt's unless the course has no texts in it.
func startReadColumns(course string) string {
	return `
	WITH c AS (SELECT id, slug, status, default_language FROM courses WHERE ` + course + `)
	SELECT EXISTS (SELECT 1 FROM enrolments WHERE user_id = $1 AND course_id = c.id AND status = 'active') AS enrolled,
		c.id AS course_id, c.slug, c.status, c.default_language,
		CASE WHEN EXISTS (SELECT 1 FROM course_texts t WHERE t.course_id = c.id AND t.language = $4) THEN $4 ELSE c.default_language END AS language,
		coalesce(z.id, 0) AS id, coalesce(z.module_id, 0) AS module_id, coalesce(z.key, '') AS key, coalesce(z.position, 0) AS position,
		coalesce(z.titles, '{}') AS titles, coalesce(z.settings, '{}') AS settings, coalesce(z.items, '[]') AS items,
		o.id AS open_id, o.deadline AS open_deadline, coalesce(o.grace_ms, 0) AS open_grace_ms,
		(SELECT count(*) FROM quiz_attempts WHERE quiz_id = $3 AND user_id = $1) AS attempts,
		(SELECT coalesce(sum(attempts), 0) FROM quiz_grants WHERE quiz_id = $3 AND user_id = $1) AS extra,
		(SELECT coalesce(sum(minutes), 0) FROM quiz_grants WHERE quiz_id = $3 AND user_id = $1) AS minutes,
		b.ids, b.categories, b.versions
	FROM c
	LEFT JOIN LATERAL (` + quizSelect + ` WHERE z.id = $3 AND m.course_id = c.id) z ON true
	LEFT JOIN quiz_attempts o ON o.quiz_id = $3 AND o.user_id = $1 AND o.finished_at IS NULL
	CROSS JOIN LATERAL (
		SELECT coalesce(array_agg(q.id ORDER BY q.id), '{}') AS ids, coalesce(array_agg(q.category_id ORDER BY q.id), '{}') AS categories,
			coalesce(array_agg(v.id ORDER BY q.id), '{}') AS versions
		FROM questions q JOIN question_versions v ON v.question_id = q.id AND v.version = q.version
		WHERE q.course_id = c.id AND q.deleted_at IS NULL
			AND EXISTS (SELECT 1 FROM quiz_items i WHERE i.quiz_id = $3 AND (i.category_id = q.category_id OR i.question_id = q.id))
	) b`
}

var (
	startReadQuery = startReadColumns("id = $2")
	// startReadBySlugQuery is the start from the quiz's page, which names the course by its
	// slug: the read also checks the course and the trainee's enrolment, which the page's
	// POST otherwise read in a statement of its own (the course page's).
	startReadBySlugQuery = startReadColumns("slug = $2")
)

// startWriteQuery is the start's write: $1 quiz, $2 user, $3 number, $4 language, $5 start,
// $6 deadline, $7 grace (ms), $8 navigation, $9 per page, $10 course, $11 slots, $12 their
// versions, $13 option orders, $14 option ids (both as array literals). It returns the
// attempt's id, or 0 when it wrote nothing.
const startWriteQuery = `
	WITH a AS (
		INSERT INTO quiz_attempts (quiz_id, user_id, number, language, started_at, deadline, grace_ms, navigation, per_page)
		SELECT $1::bigint, $2::bigint, $3::integer, $4::text, $5::timestamptz, $6::timestamptz, $7::bigint, $8::text, $9::integer
		WHERE EXISTS (SELECT 1 FROM enrolments WHERE user_id = $2 AND course_id = $10 AND status = 'active')
		ON CONFLICT DO NOTHING
		RETURNING id
	), slots AS (
		INSERT INTO attempt_slots (attempt_id, slot, question_version_id, option_order, option_ids)
		SELECT a.id, s.slot, s.version, s.option_order::integer[], s.option_ids::text[]
		FROM a, unnest($11::integer[], $12::bigint[], $13::text[], $14::text[]) AS s (slot, version, option_order, option_ids)
	)
	SELECT coalesce((SELECT id FROM a), 0)`

type startRead struct {
	Enrolled bool           `db:"enrolled"`
	CourseID int64          `db:"course_id"`
	Slug     string         `db:"slug"`
	Status   courses.Status `db:"status"`
	Default  string         `db:"default_language"`
	Language string         `db:"language"`
	quizRow
	OpenID       sql.NullInt64 `db:"open_id"`
	OpenDeadline sql.NullTime  `db:"open_deadline"`
	OpenGraceMS  int64         `db:"open_grace_ms"`
	Attempts     int           `db:"attempts"`
	Extra        int           `db:"extra"`
	Minutes      int           `db:"minutes"`
	IDs          pq.Int64Array `db:"ids"`
	Categories   pq.Int64Array `db:"categories"`
	Versions     pq.Int64Array `db:"versions"`
}

// StartAttempt gives userID their attempt in progress at a quiz of courseID, or starts a new
// one when the quiz is open, the trainee is enrolled and has attempts left; never more
// attempts than allowed, whatever starts run at once (a double click, two devices). An
// attempt in progress whose time is up is finished first. A new attempt is in lang, or in
// the course's default language where the course has no texts in lang (as the course's pages
// choose). It returns the attempt's id.
func (s *Store) StartAttempt(ctx context.Context, userID, courseID, quizID int64, lang string, now time.Time) (int64, error) {
	return s.start(ctx, startReadQuery, courseID, userID, quizID, lang, now)
}

// ErrNotPublished is StartAttemptAt's answer for a course that is not published: its editors
// are the only ones who see it, and the caller checks them the course page's way.
var ErrNotPublished = fmt.Errorf("the course is not published: %w", courses.ErrNotFound)

// StartAttemptAt is StartAttempt at a published course named by its slug, in the language
// the trainee reads it in: want, or the course's default where the course has no texts in
// want. The read that checks the course and the enrolment is the start's own, so that a
// start from the quiz's page costs one statement less. It answers ErrNotPublished for a
// course that is not published, and ErrNotEnroled for a trainee not active in it.
func (s *Store) StartAttemptAt(ctx context.Context, userID int64, slug string, quizID int64, want string, now time.Time) (int64, error) {
	return s.start(ctx, startReadBySlugQuery, slug, userID, quizID, want, now)
}

func (s *Store) start(ctx context.Context, read string, course any, userID, quizID int64, lang string, now time.Time) (int64, error) {
	id, r, err := s.startAttempt(ctx, read, course, userID, quizID, lang, now)
	if err != nil {
		return 0, fmt.Errorf("store: start attempt at quiz %d: %w", quizID, err)
	}
	if id != 0 {
		return id, nil
	}
	id, err = s.startAttemptLocked(ctx, userID, r.CourseID, quizID, r.Language, now)
	if isUniqueViolation(err) {
		// A two-statement start took the number (or the one place in progress) while this one
		// waited for the lock, e.g. behind the finish of an overdue attempt: this one then finds
		// that attempt in progress and gives it, as a double click does.
		id, err = s.startAttemptLocked(ctx, userID, r.CourseID, quizID, r.Language, now)
	}
	return id, err
}

// startAttempt is the start in two statements; 0 means it has to go the locked way, with
// the course and the language the read found.
func (s *Store) startAttempt(ctx context.Context, read string, course any, userID, quizID int64, want string, now time.Time) (int64, startRead, error) {
	var r startRead
	if err := s.hotGet(ctx, &r, read, userID, course, quizID, want); notFound(err) {
		return 0, r, fmt.Errorf("course %v: %w", course, courses.ErrNotFound)
	} else if err != nil {
		return 0, r, err
	}
	courseID, lang := r.CourseID, r.Language
	switch {
	case read == startReadBySlugQuery && r.Status != courses.StatusPublished:
		return 0, r, ErrNotPublished
	case !r.Enrolled:
		return 0, r, ErrNotEnroled
	case r.ID == 0:
		return 0, r, fmt.Errorf("quiz %d: %w", quizID, courses.ErrNotFound)
	case r.OpenID.Valid && !courses.Overdue(r.OpenDeadline.Time, time.Duration(r.OpenGraceMS)*time.Millisecond, now):
		return r.OpenID.Int64, r, nil
	case r.OpenID.Valid:
		return 0, r, nil // finished first, under the enrolment's lock
	}
	q, err := s.quizzes.of(r.quizRow)
	if err != nil {
		return 0, r, err
	}
	if err := courses.QuizOpen(q.Settings, now); err != nil {
		return 0, r, err
	}
	if !courses.CanStart(q.Settings, r.Attempts, r.Extra) {
		return 0, r, ErrNoAttemptsLeft
	}
	bank := make([]bankQuestion, len(r.IDs))
	for i := range r.IDs {
		bank[i] = bankQuestion{ID: r.IDs[i], CategoryID: r.Categories[i], VersionID: r.Versions[i]}
	}
	now = now.Round(time.Microsecond) // as PostgreSQL keeps it, for the attempt kept below
	p, err := s.planAttempt(ctx, s.db, q, bank, time.Duration(r.Minutes)*time.Minute, now)
	if err != nil {
		return 0, r, err
	}
	var id int64
	if err := s.durableGet(ctx, &id, startWriteQuery, q.ID, userID, r.Attempts+1, lang, now, nullTimeValue(p.deadline),
		p.settings.Grace.Milliseconds(), string(p.settings.Navigation), p.settings.PerPage, courseID,
		p.slots, p.versions, pq.StringArray(p.orders), pq.StringArray(p.ids)); err != nil {
		return 0, r, err
	}
	if id == 0 {
		return 0, r, nil
	}
	// The titles kept are shared with the quiz's other attempts (s.titles decoded the same bytes).
	titles, err := s.titles.of(r.quizRow.Titles)
	if err != nil {
		titles = q.Titles
	}
	a := courses.Attempt{ID: id, QuizID: q.ID, CourseID: courseID, UserID: userID, Number: r.Attempts + 1, Language: lang,
		Default: r.Default, StartedAt: now, Deadline: p.deadline, Grace: p.settings.Grace, Navigation: p.settings.Navigation,
		PerPage: p.settings.PerPage, Slug: r.Slug, QuizTitles: titles, Settings: q.Settings, Slots: p.attemptSlots}
	s.skeletons.keep(a)
	s.justSaved.keep(a, justStartedFor)
	return id, r, nil
}

// bankQuestion is a current question of the bank an attempt may draw.
type bankQuestion struct {
	ID         int64 `db:"id"`
	CategoryID int64 `db:"category_id"`
	VersionID  int64 `db:"version_id"`
}

// attemptPlan is an attempt drawn, before it is written.
type attemptPlan struct {
	settings        courses.QuizSettings // the quiz's, with the trainee's extra time
	deadline        time.Time
	slots, versions pq.Int64Array
	orders, ids     []string // array literals
	attemptSlots    []courses.AttemptSlot
}

// planAttempt draws an attempt's questions from the bank's current versions (their bodies
// read through q when this instance has not kept them), orders each question's options and
// gives them opaque ids.
func (s *Store) planAttempt(ctx context.Context, q sqlx.QueryerContext, quiz courses.Quiz, bank []bankQuestion, extra time.Duration, now time.Time) (attemptPlan, error) {
	pools := map[int64][]int64{}
	byID := map[int64]int{}
	for i, b := range bank {
		pools[b.CategoryID] = append(pools[b.CategoryID], b.ID)
		byID[b.ID] = i
	}
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		return attemptPlan{}, err
	}
	rng := rand.New(rand.NewChaCha8(seed))
	drawn, err := courses.Draw(quiz.Items, pools, rng)
	if err != nil {
		return attemptPlan{}, fmt.Errorf("%v: %w", err, ErrTooFewQuestions)
	}
	p := attemptPlan{settings: quiz.Settings, slots: make(pq.Int64Array, 0, len(drawn)), versions: make(pq.Int64Array, 0, len(drawn)),
		orders: make([]string, 0, len(drawn)), ids: make([]string, 0, len(drawn)), attemptSlots: make([]courses.AttemptSlot, 0, len(drawn))}
	if p.settings.TimeLimit > 0 { // extra time lengthens a time limit; it never makes an untimed quiz timed
		p.settings.TimeLimit += extra
	}
	p.deadline = courses.Deadline(now, p.settings)
	versions := make([]int64, len(drawn))
	for i, qid := range drawn {
		at, ok := byID[qid]
		if !ok { // a fixed question deleted since the quiz's items were read
			return attemptPlan{}, fmt.Errorf("question %d: %w", qid, ErrTooFewQuestions)
		}
		versions[i] = bank[at].VersionID
	}
	questions, err := s.questionsOf(ctx, q, versions)
	if err != nil {
		return attemptPlan{}, err
	}
	for i, v := range versions {
		question := questions[v]
		order := courses.OptionOrder(question, p.settings.ShuffleOptions, rng)
		optionIDs, err := courses.NewOptionIDs(len(order), crand.Reader)
		if err != nil {
			return attemptPlan{}, err
		}
		p.slots = append(p.slots, int64(i))
		p.versions = append(p.versions, v)
		o, _ := pq.Array(intsToInt64(order)).Value()
		oi, _ := pq.Array(optionIDs).Value()
		p.orders = append(p.orders, fmt.Sprint(o))
		p.ids = append(p.ids, fmt.Sprint(oi))
		p.attemptSlots = append(p.attemptSlots, courses.AttemptSlot{Slot: i, VersionID: v, Question: question, Order: order, OptionIDs: optionIDs})
	}
	return p, nil
}
